"""Bad input gets a clear answer in the rejects file; the run goes on and STATE follows."""

from __future__ import annotations

import json
import uuid

import pytest

from lexful_api import contract
from target_lexful.engine.outcomes import StopOnReject
from tests.lexful.client import create_organization, list_all
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config

CONTACT_SCHEMA = {
    "id": {"type": "string"},
    "organization_id": {"type": "string"},
    "first_name": {"type": "string"},
    "important": {"type": "boolean"},
}


@pytest.fixture
def org(client) -> dict:
    return create_organization(client, "Rejects")


def _contact(org: dict, **extra) -> dict:
    base = {"id": str(uuid.uuid4()), "organization_id": org["id"], "important": False}
    return {**base, "first_name": "A", "last_name": "B", **extra}


def _file_of_unknown_asset() -> dict:
    return {
        "id": "f1",
        "asset_id": str(uuid.uuid4()),
        "asset_type": "system.contact",
        "name": "x.txt",
        "download_url": "http://h/x?X-Signature=s3cr3t",
    }


def _bad_input(org: dict) -> list:
    return [
        "this is not JSON",
        "",  # blank lines are skipped, not rejected
        "   ",
        record("system_contact", _contact(org)),  # before its SCHEMA
        schema("system_contact", props=CONTACT_SCHEMA),
        record("system_contact", _contact(org, important="very")),  # fails the schema
        record("system_contact", {k: v for k, v in _contact(org).items() if k != "id"}),  # no key
        record("system_contact", _contact(org, contact_type="Nemesis")),  # 400 from the API
        record("system_contact", _contact(org, first_name="Good")),
        schema("crm_deals"),
        record("crm_deals", {"id": "d1", "amount": 5}),  # unknown stream
        schema("users"),
        record("users", {"id": str(uuid.uuid4()), "email": "a@example.com"}),
        schema("files"),
        record("files", _file_of_unknown_asset()),
        {"type": "STATE", "value": {"done": True}},
    ]


def test_each_bad_input_is_rejected_and_the_run_goes_on(
    empty_account, client, org, tmp_path
) -> None:
    run = run_target(target_config(empty_account, tmp_path), _bad_input(org), fails=True)

    assert run.exit_message is not None
    assert "'crm_deals': every record rejected" in run.exit_message  # a whole stream: non-zero
    rejects = read_rejects(tmp_path)
    errors = [(r["stream"], r["status"], r["error"]) for r in rejects]
    text = json.dumps(rejects)
    assert any(s is None and "malformed Singer line" in e for s, _, e in errors)
    assert any(s == "system_contact" and "before its SCHEMA" in e for s, _, e in errors)
    assert any("does not match the stream's schema" in e for _, _, e in errors)
    assert any("record has no key" in e for _, _, e in errors)
    assert any(st == 400 and "contact_type" in e for _, st, e in errors)
    assert any(s == "crm_deals" and "stream_asset_types" in e for s, _, e in errors)
    assert any(s == "users" and "set create_users: true" in e for s, _, e in errors)
    assert any(s == "files" and "unresolved reference" in e for s, _, e in errors)
    assert "s3cr3t" not in text  # a presigned signature never reaches the rejects file
    assert len(rejects) == 8
    assert all(set(r) >= {"stream", "record", "error", "status"} for r in rejects)
    assert [c["first_name"] for c in list_all(client, contract.assets_path("system.contact"))] == [
        "Good"
    ]
    assert run.states[-1] == {"done": True}
    assert sum(row["rejected"] for row in run.stats.values()) == 8


def test_fail_mode_stops_at_the_first_reject(empty_account, client, org, tmp_path) -> None:
    messages = [
        schema("system_contact"),
        record("system_contact", _contact(org, contact_type="Nemesis")),
        record("system_contact", _contact(org, first_name="Never")),
    ]
    config = target_config(empty_account, tmp_path, on_record_error="fail", batch_size_rows=1)

    with pytest.raises(StopOnReject, match=r"system_contact.*contact_type"):
        run_target(config, messages)

    assert len(read_rejects(tmp_path)) == 1
    assert list_all(client, contract.assets_path("system.contact")) == []


def test_a_refused_link_is_rejected_and_the_others_of_its_asset_written(
    empty_account, client, org, tmp_path
) -> None:
    path = contract.assets_path("system.contact")
    body = {"organization_id": org["id"], "first_name": "L", "last_name": "K", "important": False}
    a, b = (client.send_json("POST", path, body) for _ in range(2))
    links = [
        {"asset_id": a["id"], "related_asset_id": a["id"]},  # to itself: refused (422)
        {"asset_id": a["id"], "related_asset_id": b["id"]},
    ]
    types = {"asset_type": "system.contact", "related_asset_type": "system.contact"}
    messages = [
        schema("related_assets", ["asset_id", "related_asset_id"]),
        *[record("related_assets", {**x, **types}) for x in links],
    ]

    run = run_target(target_config(empty_account, tmp_path), messages)

    assert [r["record"]["related_asset_id"] for r in read_rejects(tmp_path)] == [a["id"]]
    related = list_all(client, contract.related_path("system.contact", a["id"]))
    assert [x["asset_id"] for x in related] == [b["id"]]
    assert run.count("related_assets", "created") == 1
