"""``match_on`` named by the asset type (or ``organizations``), and records with no key.

A CRM's streams (``clients``, ``contacts``) mapped through ``stream_asset_types``: its
``match_on`` may name the stream or what it writes to, as the README's example does.
"""

from __future__ import annotations

from lexful_api import contract
from tests.lexful.client import create_organization, list_all
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config

CONTACT = "system.contact"
MAPPING = {"clients": "organizations", "contacts": CONTACT}


def _crm(clients: list[dict], contacts: list[dict], key: list[str] | None = None) -> list[dict]:
    return [
        schema("clients", key),
        *[record("clients", c) for c in clients],
        schema("contacts", key),
        *[record("contacts", c) for c in contacts],
    ]


def _hank(org_id: str, **extra) -> dict:
    body = {"first_name": "Hank", "last_name": "Scorpio", "important": False}
    return {"organization_id": org_id, **body, **extra}


def test_match_on_named_by_asset_type_and_organizations(empty_account, client, tmp_path):
    globex = create_organization(client, "Globex")
    hank = client.send_json("POST", contract.assets_path(CONTACT), _hank(globex["id"]))
    config = target_config(
        empty_account,
        tmp_path,
        stream_asset_types=MAPPING,
        match_on={
            "organizations": ["name"],
            CONTACT: ["organization_id", "first_name", "last_name"],
        },
    )
    clients = [{"id": 7, "name": "Globex", "type": "client", "status": "active"}]
    contacts = [{"id": 7, **_hank(7, title="CEO")}]

    run = run_target(config, _crm(clients, contacts))

    assert (run.count("clients", "updated"), run.count("contacts", "updated")) == (0, 1)
    assert run.count("clients", "unchanged") == 1
    assert [o["id"] for o in list_all(client, contract.organizations_path())] == [globex["id"]]
    people = list_all(client, contract.assets_path(CONTACT))
    assert [(p["id"], p["title"]) for p in people] == [(hank["id"], "CEO")]
    assert read_rejects(tmp_path) == []


def test_a_record_with_no_key_is_rejected_naming_why(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=MAPPING)
    clients = [{"id": "c1", "name": "Acme", "type": "client", "status": "active"}]
    keyless = {"organization_id": "c1", "first_name": "Ada", "last_name": "L", "important": False}

    run = run_target(config, _crm(clients, [keyless], key=[]))

    assert run.count("contacts", "rejected") == 1
    [reject] = read_rejects(tmp_path)
    assert reject["error"].startswith("record has no key")
    assert list_all(client, contract.assets_path(CONTACT)) == []


def test_a_record_with_no_key_placed_by_match_on_is_updated(empty_account, client, tmp_path):
    config = target_config(
        empty_account,
        tmp_path,
        stream_asset_types=MAPPING,
        match_on={CONTACT: ["organization_id", "first_name", "last_name"]},
    )
    clients = [{"id": "c1", "name": "Acme", "type": "client", "status": "active"}]
    keyless = {"organization_id": "c1", "first_name": "Ada", "last_name": "L", "important": False}
    first = run_target(config, _crm(clients, [keyless], key=[]))
    assert first.count("contacts", "created") == 1

    changed = run_target(config, _crm(clients, [{**keyless, "title": "CTO"}], key=[]))

    assert (changed.count("contacts", "updated"), changed.count("contacts", "created")) == (1, 0)
    people = list_all(client, contract.assets_path(CONTACT))
    assert [p["title"] for p in people] == ["CTO"]
    assert read_rejects(tmp_path) == []
