"""A CRM-like source (its own ids, its own stream names): create, update, unchanged, match_on."""

from __future__ import annotations

from lexful_api import contract
from tests.lexful.client import create_organization, list_all
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config

MAPPING = {"clients": "organizations", "contacts": "system.contact"}


def _client(cid: str, name: str, **extra) -> dict:
    return {"id": cid, "name": name, "type": "client", "status": "active", **extra}


def _contact(pid: str, org: str, first: str, last: str, **extra) -> dict:
    base = {"id": pid, "organization_id": org, "first_name": first, "last_name": last}
    return {**base, "important": False, **extra}


def _input(clients: list[dict], contacts: list[dict]) -> list[dict]:
    return [
        schema("clients"),
        *[record("clients", c) for c in clients],
        schema("contacts"),
        *[record("contacts", c) for c in contacts],
    ]


CLIENTS = [_client("c1", "Acme"), _client("c2", "Initech")]
CONTACTS = [
    _contact("p1", "c1", "Ada", "Lovelace", title="CTO"),
    _contact("p2", "c1", "Alan", "Turing"),
    _contact("p3", "c2", "Grace", "Hopper"),
]


def test_create_then_unchanged_then_update(empty_account, client, calls, tmp_path) -> None:
    config = target_config(empty_account, tmp_path, stream_asset_types=MAPPING)

    first = run_target(config, _input(CLIENTS, CONTACTS))
    assert (first.count("clients", "created"), first.count("contacts", "created")) == (2, 3)
    orgs = {o["name"]: o for o in list_all(client, contract.organizations_path())}
    contacts = {
        c["first_name"]: c for c in list_all(client, contract.assets_path("system.contact"))
    }
    assert contacts["Ada"]["organization_id"] == orgs["Acme"]["id"]
    assert contacts["Grace"]["organization_id"] == orgs["Initech"]["id"]

    calls.reset()
    second = run_target(config, _input(CLIENTS, CONTACTS))
    assert calls.writes() == []
    assert (second.count("clients", "unchanged"), second.count("contacts", "unchanged")) == (2, 3)

    changed = [*CONTACTS[:2], {**CONTACTS[2], "title": "Rear Admiral"}]
    calls.reset()
    third = run_target(config, _input(CLIENTS, changed))
    assert third.count("contacts", "updated") == 1
    assert third.count("contacts", "unchanged") == 2
    assert [m for m, _ in calls.writes()] == ["PATCH"]
    grace = client.get_json(contract.assets_path("system.contact", contacts["Grace"]["id"]))
    assert grace["title"] == "Rear Admiral"
    assert len(list_all(client, contract.assets_path("system.contact"))) == 3
    assert read_rejects(tmp_path) == []


def test_match_on_finds_existing_records(empty_account, client, tmp_path) -> None:
    globex = create_organization(client, "Globex")
    hank = client.send_json(
        "POST",
        contract.assets_path("system.contact"),
        {
            "organization_id": globex["id"],
            "first_name": "Hank",
            "last_name": "Scorpio",
            "important": False,
        },
    )
    config = target_config(
        empty_account,
        tmp_path,
        stream_asset_types=MAPPING,
        match_on={"clients": ["name"], "contacts": ["organization_id", "first_name", "last_name"]},
    )
    clients = [_client("g1", "Globex", description="evil corp")]
    contacts = [_contact("h1", "g1", "Hank", "Scorpio", title="CEO")]

    run = run_target(config, _input(clients, contacts))

    assert (run.count("clients", "updated"), run.count("contacts", "updated")) == (1, 1)
    orgs = list_all(client, contract.organizations_path())
    assert [o["id"] for o in orgs] == [globex["id"]]
    assert orgs[0]["description"] == "evil corp"
    people = list_all(client, contract.assets_path("system.contact"))
    assert [(p["id"], p["title"]) for p in people] == [(hank["id"], "CEO")]


def test_a_lexful_id_of_the_account_is_updated_in_place(empty_account, client, tmp_path) -> None:
    org = create_organization(client, "Umbrella")
    config = target_config(empty_account, tmp_path)
    changed = {**org, "notes": "known id"}

    run = run_target(config, [schema("organizations"), record("organizations", changed)])

    assert run.count("organizations", "updated") == 1
    orgs = list_all(client, contract.organizations_path())
    assert [(o["id"], o["notes"]) for o in orgs] == [(org["id"], "known id")]


def test_masked_secrets_are_never_written(empty_account, client, tmp_path) -> None:
    org = create_organization(client, "Vault")
    config_type = client.get_json(contract.asset_types_path(), {"name": "system.configuration"})
    secret = next(
        p["name"]
        for p in contract.list_items(config_type)[0]["properties"]
        if p["type"] == "secret"
    )
    item = client.send_json(
        "POST",
        contract.assets_path("system.configuration"),
        {"organization_id": org["id"], "name": "db1", "hostname": "db1", secret: "hunter2"},
    )
    assert item[secret] == contract.MASKED_VALUE
    config = target_config(empty_account, tmp_path)
    read_back = {**item, "hostname": "db1.example"}  # as tap-lexful reads it: the secret masked

    sent: list = []

    run = run_target(
        config,
        [schema("system_configuration"), record("system_configuration", read_back)],
        sent=sent,
    )

    assert run.count("system_configuration", "updated") == 1
    patches = [body for method, _path, body in sent if method == "PATCH"]
    assert patches == [{"hostname": "db1.example"}]  # only the change; never the mask


def test_soft_deleted_records_are_deleted_or_rejected(empty_account, client, tmp_path) -> None:
    config = target_config(empty_account, tmp_path, stream_asset_types=MAPPING)
    run_target(config, _input(CLIENTS, CONTACTS))
    gone = {**CONTACTS[0], "_sdc_deleted_at": "2024-05-01T00:00:00Z"}
    never = _contact("p9", "c1", "Never", "Copied", _sdc_deleted_at="2024-05-01T00:00:00Z")

    run = run_target(config, _input(CLIENTS, [gone, never, *CONTACTS[1:]]))

    assert run.count("contacts", "deleted") == 1  # deleted in Lexful too
    assert run.count("contacts", "updated") == 0
    assert run.count("contacts", "skipped") == 1  # p9: never copied, nothing to delete
    assert read_rejects(tmp_path) == []
    names = {c["first_name"] for c in list_all(client, contract.assets_path("system.contact"))}
    assert names == {"Alan", "Grace"}
    again = run_target(config, _input(CLIENTS, [gone, *CONTACTS[1:]]))
    assert again.count("contacts", "unchanged") == 3
