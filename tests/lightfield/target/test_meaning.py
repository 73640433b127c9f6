"""Issue 25: partial updates keep links, keys and references mean what the source meant,
idempotency keys outlive no records (records written by hand, as any source may send them)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests

from lightfield_sandbox import Sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import run_target, target_config

ANY_ID = {"type": ["string", "integer"]}


def singer(
    stream: str, records: list[dict[str, Any]], keys: tuple[str, ...] = ("id",)
) -> list[str]:
    """A SCHEMA line and RECORD lines, as any Singer source may send them."""
    properties: dict[str, Any] = dict.fromkeys(keys, ANY_ID) | {
        "fields": {"type": "object"},
        "relationships": {"type": "object"},
    }
    schema = {
        "type": "SCHEMA",
        "stream": stream,
        "key_properties": list(keys),
        "schema": {"type": "object", "properties": properties},
    }
    out = [json.dumps(schema)]
    out += [json.dumps({"type": "RECORD", "stream": stream, "record": r}) for r in records]
    return out


def by_name(creds: dict[str, str], path: str) -> dict[str, dict[str, Any]]:
    found = {}
    for item in Reader(creds).all(path):
        name = item["fields"]["$name"]["value"]
        key = name if isinstance(name, str) else f"{name['firstName']} {name['lastName']}"
        found[key] = item
    return found


def links(item: dict[str, Any], slug: str) -> list[str]:
    return sorted((item["relationships"].get(slug) or {}).get("values") or [])


def actor_of(sandbox: Sandbox, creds: dict[str, str]) -> Actor:
    key = sandbox.store.key(creds["api_key"])
    assert key is not None
    return Actor(sandbox.store, key.workspace_id, key.member_id)


ACME = {"id": "a1", "fields": {"$name": "Acme"}}
GLOBEX = {"id": "a2", "fields": {"$name": "Globex"}}
ADA: dict[str, Any] = {
    "id": "c1",
    "fields": {"$name": {"firstName": "Ada", "lastName": "Lovelace"}, "$title": "Engineer"},
    "relationships": {"$account": ["a1", "a2"]},
}


def test_a_partial_update_keeps_the_relationships_it_leaves_out(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    creds = demo_sandbox.new_account()
    config = target_config(creds, tmp_path)
    run_target(config, singer("accounts", [ACME, GLOBEX]) + singer("contacts", [ADA]))
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert len(links(contact, "$account")) == 2

    # A new $title, no relationships at all: the contact's two accounts stay.
    retitled = {"id": "c1", "fields": {**ADA["fields"], "$title": "CTO"}}
    target, _ = run_target(config, singer("contacts", [retitled]))
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert contact["fields"]["$title"]["value"] == "CTO"
    assert len(links(contact, "$account")) == 2, "a partial update dropped $account"
    assert target.engine.stats.total("updated") == 1

    # $account present: written as the difference from what the copy holds.
    moved = {**retitled, "relationships": {"$account": ["a1"]}}
    run_target(config, singer("contacts", [moved]))
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == [by_name(creds, "/v1/accounts")["Acme"]["id"]]


def test_keys_are_whole_and_typed_and_references_stay_in_their_type(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    creds = demo_sandbox.new_account()
    config = target_config(creds, tmp_path)
    # Three accounts keyed (portal, id), two of them sharing an integer id.
    accounts = [
        {"portal": "eu", "id": 1, "fields": {"$name": "EU one"}},
        {"portal": "us", "id": 1, "fields": {"$name": "US one"}},
        {"portal": "us", "id": 2, "fields": {"$name": "US two"}},
    ]
    target, _ = run_target(config, singer("accounts", accounts, ("portal", "id")))
    assert sorted(by_name(creds, "/v1/accounts")) == ["EU one", "US one", "US two"]
    assert target.engine.stats.total("created") == 3

    # Account "1" and contact "1": a note's $account is the account, its $contact the contact.
    config = target_config(creds, tmp_path / "second", max_concurrency=1)
    (tmp_path / "second").mkdir()
    account = {"id": "1", "fields": {"$name": "Initech"}}
    contact = {"id": "1", "fields": {"$name": {"firstName": "Bob", "lastName": "Slydell"}}}
    note = {
        "id": "n1",
        "fields": {"$title": "Kickoff"},
        "relationships": {"$account": "1", "$contact": ["1"]},  # a string is one id
    }
    lines = singer("contacts", [contact]) + singer("accounts", [account])
    run_target(config, lines + singer("notes", [note]))
    found = Reader(creds).all("/v1/notes")
    assert len(found) == 1
    initech = by_name(creds, "/v1/accounts")["Initech"]["id"]
    bob = by_name(creds, "/v1/contacts")["Bob Slydell"]["id"]
    assert links(found[0], "$account") == [initech]
    assert links(found[0], "$contact") == [bob]


def test_a_single_id_where_a_list_is_expected_is_one_reference(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    creds = demo_sandbox.new_account()
    run_target(
        target_config(creds, tmp_path),
        singer("accounts", [ACME])
        + singer("contacts", [{**ADA, "relationships": {"$account": "a1"}}]),
    )
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == [by_name(creds, "/v1/accounts")["Acme"]["id"]]
    assert not (tmp_path / "rejects.jsonl").exists()


def test_match_on_compares_as_the_api_does(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    creds = demo_sandbox.new_account()
    actor = actor_of(demo_sandbox, creds)
    there = {"$name": {"firstName": "Ada", "lastName": "Lovelace"}, "$email": ["ADA@example.com"]}
    existing = entities.create(actor, BUILT_IN["contact"], {"fields": there})["id"]
    acme = entities.create(actor, BUILT_IN["account"], {"fields": {"$name": "ACME corp"}})["id"]

    contact = {
        "id": "c1",
        "fields": {
            "$name": {"firstName": "ada", "lastName": "lovelace"},
            "$email": ["ada@example.com", "ada@work.example"],
        },
    }
    account = {"id": "a1", "fields": {"$name": "Acme Corp", "$tags": ["SMB"]}}
    config = target_config(
        creds,
        tmp_path,
        match_on={"contacts": ["$email", "$name"], "accounts": ["$name"], "tasks": ["$nope"]},
    )
    task = {"id": "t1", "fields": {"$title": "Call", "$status": "TODO"}}
    with caplog.at_level(logging.WARNING):
        target, _ = run_target(
            config,
            singer("contacts", [contact])
            + singer("accounts", [account])
            + singer("tasks", [task, {**task, "id": "t2"}]),
        )
    assert [c["id"] for c in Reader(creds).all("/v1/contacts")] == [existing]
    assert [a["id"] for a in Reader(creds).all("/v1/accounts")] == [acme]
    assert target.engine.stats.total("updated") == 2
    never = [r for r in caplog.records if "match_on $nope can never match" in r.getMessage()]
    assert len(never) == 1, "one warning per stream and key"


def test_an_idempotency_key_does_not_outlive_the_records_it_made(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    creds = demo_sandbox.new_account()
    config = target_config(creds, tmp_path)
    run_target(config, singer("accounts", [ACME]))
    first = by_name(creds, "/v1/accounts")["Acme"]["id"]
    # The team wipes what the first run made, and the id map with it.
    reader = Reader(creds)
    requests.delete(f"{reader.url}/v1/accounts/{first}", headers=reader.headers, timeout=30)
    (tmp_path / "id-map.sqlite").unlink()

    target, _ = run_target(config, singer("accounts", [ACME]))
    found = Reader(creds).all("/v1/accounts")
    assert len(found) == 1
    assert found[0]["id"] != first, "the trashed record's id was replayed"
    assert target.engine.stats.total("created") == 1

    # A changed record under a fresh id map: created with its own body, not rejected.
    (tmp_path / "id-map.sqlite").unlink()
    changed = {"id": "a1", "fields": {"$name": "Acme renamed"}}
    target, _ = run_target(config, singer("accounts", [changed]))
    assert "Acme renamed" in by_name(creds, "/v1/accounts")
    assert not (tmp_path / "rejects.jsonl").exists()


def test_a_reference_to_a_record_trashed_in_the_source_is_dropped_and_counted(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    creds = demo_sandbox.new_account()
    gone = {**GLOBEX, "_sdc_deleted_at": "2026-01-02T03:04:05Z"}
    lines = singer("accounts", [ACME]) + singer("contacts", [ADA]) + singer("accounts", [gone])
    with caplog.at_level(logging.WARNING):
        target, _ = run_target(target_config(creds, tmp_path), lines)
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == [by_name(creds, "/v1/accounts")["Acme"]["id"]]
    assert not (tmp_path / "rejects.jsonl").exists(), "rejected for a dangling reference"
    assert target.engine.stats.total("dangling_references") == 1
    assert any("trashed in the source" in r.getMessage() for r in caplog.records)


BAD_AND_GOOD = [
    {"id": "a1", "fields": {"$name": "Fine", "colour": "teal"}},  # an extra field: dropped
    {"id": "a2", "fields": {"$website": ["https://x.example"]}},  # no $name
    {"id": "a3", "fields": {"$name": "Bad option", "$industry": "Mining"}},
    {"id": "a4", "fields": {"$name": "Bad type", "$employees": "many"}},
    {"id": "a5", "fields": {"$name": "Also fine", "colour": "red"}},
]


def test_dry_run_applies_the_definitions_checks_and_plans_what_a_real_run_does(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    creds = demo_sandbox.new_account()
    opportunity = {"id": "o1", "fields": {"$name": "Deal", "$stage": "Lead"}}  # no $account
    lines = singer("accounts", BAD_AND_GOOD) + singer("opportunities", [opportunity])
    (tmp_path / "dry").mkdir()
    planned, _ = run_target(target_config(creds, tmp_path / "dry", dry_run=True), lines)
    assert Reader(creds).all("/v1/accounts") == []
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        real, _ = run_target(target_config(creds, tmp_path), lines)
    for action in ("created", "updated", "rejected"):
        assert planned.engine.stats.total(action) == real.engine.stats.total(action), action
    assert real.engine.stats.total("created") == 2
    assert real.engine.stats.total("rejected") == 4
    assert sorted(by_name(creds, "/v1/accounts")) == ["Also fine", "Fine"]
    extra = [r for r in caplog.records if "field colour is not in" in r.getMessage()]
    assert len(extra) == 1, "one warning per stream and field"

    (tmp_path / "strict").mkdir()
    strict, _ = run_target(
        target_config(creds, tmp_path / "strict", dry_run=True, extra_fields="reject"), lines
    )
    assert strict.engine.stats.total("rejected") == 6


def test_links_written_from_either_side(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    creds = demo_sandbox.new_account()
    config = target_config(creds, tmp_path)
    # An account naming a contact not written yet: not waited for, not rejected (the
    # contact, which names it too, writes the link).
    initech = {"id": "a3", "fields": {"$name": "Initech"}, "relationships": {"$contact": ["c1"]}}
    ada = {**ADA, "relationships": {"$account": ["a1", "a3"]}}
    lines = singer("accounts", [ACME, GLOBEX, initech]) + singer("contacts", [ada])
    run_target(config, lines)
    assert not (tmp_path / "rejects.jsonl").exists()
    accounts = {k: v["id"] for k, v in by_name(creds, "/v1/accounts").items()}
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == sorted([accounts["Acme"], accounts["Initech"]])
    # The source links the contact from the account's side: the link reaches the copy.
    linked = {**GLOBEX, "relationships": {"$contact": ["c1"]}}
    target, _ = run_target(config, singer("accounts", [linked]))
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == sorted(accounts.values())
    assert target.engine.stats.total("updated") == 1
    # Sent again unchanged: nothing written.
    target, _ = run_target(config, singer("accounts", [linked]))
    assert target.engine.stats.total("unchanged") == 1
