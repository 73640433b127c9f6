"""The id map is the workspace's (``workspace_name``), not the key's: a rotated key keeps it.

The old target named its id map (file and rows) by a hash of the API key: with a second key
for the same workspace, the next run started from an empty map and wrote every record again
(a 409 where a create conflicts). A map named the old way is found by the key in use and
carried over, so an upgrade writes nothing again either.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from lightfield_sandbox import Sandbox
from lightfield_sandbox.resources import workspaces
from target_lightfield.engine.id_map_name import legacy_tag
from tests.lightfield.target.helpers import (
    WriteCounter,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """The target's default directory (.target-lightfield) under tmp_path."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def rotated(sandbox: Sandbox, creds: dict[str, str]) -> dict[str, str]:
    """A second key for the workspace of ``creds`` (the first one still works)."""
    key = sandbox.store.key(creds["api_key"])
    assert key is not None
    second = workspaces.add_key(sandbox.store, key.workspace_id, key.member_id, ()).key
    assert second != creds["api_key"]
    return {**creds, "api_key": second}


def new_workspace(sandbox: Sandbox) -> dict[str, str]:
    """An empty workspace with the demo's members (so that no email is rejected: a rejected
    record is tried again on the next run, whatever the key)."""
    creds = sandbox.new_account()
    with_demo_members(sandbox, creds)
    return creds


def default_config(creds: dict[str, str], tmp: Path) -> dict[str, Any]:
    """The target's config with its id map where it goes by default."""
    config = target_config(creds, tmp)
    del config["id_map_path"]
    return config


def run_counting_writes(
    sandbox: Sandbox, config: dict[str, Any], lines: list[str]
) -> tuple[Any, list[tuple[str, str]]]:
    writes = WriteCounter()
    sandbox.add_hook(writes)
    try:
        target, _ = run_target(config, lines)
    finally:
        writes.armed = False
    return target, writes.seen


def make_legacy(path: Path, creds: dict[str, str], old_path: Path) -> None:
    """What the old target left: the map named by the key's hash, its rows tagged with it."""
    with sqlite3.connect(path) as db:
        for table in ("ids", "waiting", "rejects_since_finish"):
            db.execute(f"UPDATE {table} SET account_id=?", (legacy_tag(creds),))
    db.close()
    if old_path != path:
        path.rename(old_path)


def test_a_rotated_key_writes_nothing_again(demo_sandbox: Sandbox, in_tmp: Path) -> None:
    creds = new_workspace(demo_sandbox)
    lines = tap_lines(demo_sandbox.config, files_content="inline")
    first, seen = run_counting_writes(demo_sandbox, default_config(creds, in_tmp), lines)
    assert first.engine.stats.total("created") > 0
    assert seen
    assert (in_tmp / ".target-lightfield" / "id-map-default.sqlite").exists()

    again, seen = run_counting_writes(
        demo_sandbox, default_config(rotated(demo_sandbox, creds), in_tmp), lines
    )
    assert seen == [], "a rotated key wrote again"
    assert again.engine.stats.total("created") == 0
    assert again.engine.stats.total("rejected") == 0
    assert not (in_tmp / "rejects.jsonl").exists()


def test_an_id_map_named_by_the_old_key_hash_is_carried_over(
    demo_sandbox: Sandbox, in_tmp: Path
) -> None:
    creds = new_workspace(demo_sandbox)
    lines = tap_lines(demo_sandbox.config, files_content="inline")
    run_counting_writes(demo_sandbox, default_config(creds, in_tmp), lines)
    directory = in_tmp / ".target-lightfield"
    old = directory / f"id-map-{legacy_tag(creds)}.sqlite"
    make_legacy(directory / "id-map-default.sqlite", creds, old)

    upgraded, seen = run_counting_writes(demo_sandbox, default_config(creds, in_tmp), lines)
    assert seen == [], "the upgrade wrote again"
    assert upgraded.engine.stats.total("created") == 0
    assert not old.exists()
    assert (directory / "id-map-default.sqlite").exists()
    # From now on the map is the workspace's: a rotated key finds it too.
    _, seen = run_counting_writes(
        demo_sandbox, default_config(rotated(demo_sandbox, creds), in_tmp), lines
    )
    assert seen == []


def test_an_explicit_id_map_path_keeps_its_old_rows(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    creds = new_workspace(demo_sandbox)
    lines = tap_lines(demo_sandbox.config, files_content="inline")
    config = target_config(creds, tmp_path, workspace_name="acme-prod")
    run_counting_writes(demo_sandbox, config, lines)
    make_legacy(Path(config["id_map_path"]), creds, Path(config["id_map_path"]))

    _, seen = run_counting_writes(demo_sandbox, config, lines)
    assert seen == []
    with sqlite3.connect(config["id_map_path"]) as db:
        tags = {row[0] for row in db.execute("SELECT DISTINCT account_id FROM ids")}
    db.close()
    assert tags == {"acme-prod"}


def test_two_maps_for_one_key_stop_with_one_line(demo_sandbox: Sandbox, in_tmp: Path) -> None:
    """The key's old map and a map of the default name both there: which one is this
    workspace's is not guessed (a second workspace's map would skip its records)."""
    creds = demo_sandbox.new_account()
    directory = in_tmp / ".target-lightfield"
    directory.mkdir()
    (directory / "id-map-default.sqlite").touch()
    (directory / f"id-map-{legacy_tag(creds)}.sqlite").touch()
    with pytest.raises(ConfigValidationError, match="workspace_name: both"):
        run_target(default_config(creds, in_tmp), [])
    with pytest.raises(ConfigValidationError) as refused:
        run_target({**default_config(creds, in_tmp), "workspace_name": "../x"}, [])
    assert "config['workspace_name']" in str(refused.value.errors)


def test_another_workspace_on_the_same_name_stops_before_writing(
    demo_sandbox: Sandbox, in_tmp: Path
) -> None:
    """Two workspaces, one directory, the default name: the second run finds a map whose
    members are not its workspace's and stops, instead of skipping every record as written."""
    lines = tap_lines(demo_sandbox.config, files_content="inline")
    first = new_workspace(demo_sandbox)
    run_counting_writes(demo_sandbox, default_config(first, in_tmp), lines)

    second = new_workspace(demo_sandbox)
    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    try:
        with pytest.raises(ConfigValidationError, match=r"workspace_name: the id map .* another"):
            run_target(default_config(second, in_tmp), lines)
    finally:
        writes.armed = False
    assert writes.seen == []
    # Its own name: written in full.
    target, _ = run_target({**default_config(second, in_tmp), "workspace_name": "second"}, lines)
    assert target.engine.stats.total("created") > 0
