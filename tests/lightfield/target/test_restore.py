"""A record restored in the source (``POST .../{id}/restore`` [D]) after the tap carried its
delete: the next run restores the copy the target trashed (the same record), never a second
one; then brings it up to date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.resources import workspaces
from target_lightfield.target import TargetLightfield
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import (
    assert_copy_equals_source,
    count_per_collection,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
)

HEADERS = {"Lightfield-Version": "2026-03-01"}
#: The types whose trash the tap reads [D: status=trashed], one record of each deleted.
TRASHABLE = ("accounts", "contacts", "opportunities", "tasks", "notes", "meetings")


@pytest.fixture
def source() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


class Copier:
    """tap-lightfield (from its own state) into target-lightfield, run after run."""

    def __init__(self, source: Sandbox, creds: dict[str, str], tmp: Path) -> None:
        self.source, self.config = source, target_config(creds, tmp)
        self.state: dict[str, Any] = {}

    def run(self) -> TargetLightfield:
        lines = tap_lines(
            self.source.config,
            state=self.state or None,
            index_lag_seconds=0,
            files_content="inline",
        )
        states = [json.loads(x)["value"] for x in lines if json.loads(x)["type"] == "STATE"]
        self.state = states[-1]
        return run_target(self.config, lines)[0]


def _source_call(source: Sandbox, method: str, path: str, **kwargs: Any) -> None:
    headers = {"Authorization": f"Bearer {source.api_key}", **HEADERS}
    url = source.config["api_url"] + "/v1" + path
    answer = requests.request(method, url, headers=headers, timeout=10, **kwargs)
    assert answer.status_code == 200, answer.text


def _ids(creds: dict[str, str], collection: str, **params: Any) -> set[str]:
    return {r["id"] for r in Reader(creds).all(f"/v1/{collection}", **params)}


def test_a_record_restored_in_the_source_restores_its_copy(source: Sandbox, tmp_path: Path) -> None:
    creds = source.new_account()
    with_demo_members(source, creds)
    copier = Copier(source, creds, tmp_path)
    copier.run()
    assert not (tmp_path / "rejects.jsonl").exists()
    copies = {c: _ids(creds, c) for c in TRASHABLE}
    counts = count_per_collection(creds)
    reader = Reader(source.config)
    picked = {c: reader.all(f"/v1/{c}")[-1]["id"] for c in TRASHABLE}

    for collection, record_id in picked.items():
        _source_call(source, "DELETE", f"/{collection}/{record_id}")
    deleted = copier.run()
    trashed = {c: _ids(creds, c, status="trashed") for c in TRASHABLE}
    for collection in TRASHABLE:
        assert len(trashed[collection]) == 1, collection
        assert trashed[collection] <= copies[collection], collection
        assert deleted.engine.stats.streams[collection]["deleted"] == 1, collection

    for collection, record_id in picked.items():
        _source_call(source, "POST", f"/{collection}/{record_id}/restore")
    renamed = picked["accounts"]  # changed in the source too: restored, then brought up to date
    _source_call(source, "POST", f"/accounts/{renamed}", json={"fields": {"$name": "Back Again"}})
    restored = copier.run()
    for collection in TRASHABLE:
        assert _ids(creds, collection, status="trashed") == set(), collection
        assert _ids(creds, collection) == copies[collection], collection  # the same records
        assert restored.engine.stats.streams[collection]["restored"] == 1, collection
    assert restored.engine.stats.total("created") == 0
    assert count_per_collection(creds) == counts
    assert not (tmp_path / "rejects.jsonl").exists()
    assert_copy_equals_source(source.config, creds, with_files=True)

    again = copier.run()
    for what in ("created", "updated", "restored", "deleted"):
        assert again.engine.stats.total(what) == 0, what


def test_a_key_without_the_restore_scope_rejects_the_record_naming_it(
    source: Sandbox, tmp_path: Path
) -> None:
    """The copy stays in the trash, the record is rejected naming the scope to grant, and
    nothing is created in its place."""
    creds = source.new_account()
    with_demo_members(source, creds)
    key = source.store.key(creds["api_key"])
    assert key is not None
    verbs = ("read", "create", "update", "delete", "restore")
    scopes = [f"{c}:{v}" for c in (*TRASHABLE, "custom_objects") for v in verbs]
    scopes += ["lists:read", "lists:create", "lists:update", "files:read", "files:create"]
    scopes += ["emails:read", "emails:create", "members:read"]
    scopes.remove("accounts:restore")
    limited = workspaces.add_key(source.store, key.workspace_id, key.member_id, tuple(scopes))
    copier = Copier(source, {**creds, "api_key": limited.key}, tmp_path)
    copier.run()
    assert not (tmp_path / "rejects.jsonl").exists()
    accounts = _ids(creds, "accounts")
    picked = Reader(source.config).all("/v1/accounts")[-1]["id"]
    _source_call(source, "DELETE", f"/accounts/{picked}")
    copier.run()
    trashed = _ids(creds, "accounts", status="trashed")
    _source_call(source, "POST", f"/accounts/{picked}/restore")
    copier.run()
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [(r["stream"], r["record"]["id"]) for r in rejects] == [("accounts", picked)]
    assert "accounts:restore" in rejects[0]["error"]
    assert _ids(creds, "accounts", status="trashed") == trashed
    assert _ids(creds, "accounts") == accounts - trashed
