"""match_on finds a record the id map does not know; dry_run plans and writes nothing."""

from __future__ import annotations

from pathlib import Path

from lightfield_sandbox import Sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import (
    WriteCounter,
    assert_copy_equals_source,
    assert_lists_equal,
    count_per_collection,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
)


def test_match_on_updates_the_account_already_there(demo_sandbox: Sandbox, tmp_path: Path):
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    with_demo_members(demo_sandbox, creds)
    name = Reader(source).all("/v1/accounts")[0]["fields"]["$name"]["value"]
    key = demo_sandbox.store.key(creds["api_key"])
    assert key is not None
    actor = Actor(demo_sandbox.store, key.workspace_id, key.member_id)
    existing = entities.create(actor, BUILT_IN["account"], {"fields": {"$name": name}})["id"]

    config = target_config(creds, tmp_path, match_on={"accounts": ["$name"]})
    target, states = run_target(config, tap_lines(source, files_content="inline"))
    assert states, "no STATE printed"

    assert count_per_collection(creds) == count_per_collection(source)  # not duplicated
    copied = {a["id"]: a for a in Reader(creds).all("/v1/accounts")}
    assert existing in copied, "the matched account was replaced, not updated"
    assert copied[existing]["fields"]["$name"]["value"] == name
    assert target.engine.stats.total("updated") == 1
    assert_copy_equals_source(source, creds, with_files=True)  # its fields are the source's
    assert_lists_equal(source, creds)


def test_dry_run_plans_creates_and_writes_nothing(demo_sandbox: Sandbox, tmp_path: Path):
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    with_demo_members(demo_sandbox, creds)
    lines = tap_lines(source, files_content="inline")
    accounts = [a["id"] for a in Reader(source).all("/v1/accounts")]
    empty = count_per_collection(creds)

    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    try:
        target, states = run_target(target_config(creds, tmp_path, dry_run=True), lines)
    finally:
        writes.armed = False

    assert writes.seen == [], "a dry run wrote to the workspace"
    assert states == [], "a dry run printed STATE"
    assert count_per_collection(creds) == empty
    planned = set(target.engine.plan_lines)
    for account in accounts:
        assert f"dry-run: would create accounts {account}" in planned
    assert any(line.startswith("dry-run: would create files ") for line in planned)
    assert target.engine.stats.total("created") > 0
    assert not (tmp_path / "rejects.jsonl").exists()
    assert not (tmp_path / "id-map.sqlite").exists(), "a dry run wrote the id map"
