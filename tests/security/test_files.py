"""Files the connectors write hold records or secrets: 0600, and never written through a
symlink planted at their name (the rejects file, the Dagster plan's temporary name)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from connector_core.target.rejects import Rejects
from lexful_dagster import plan


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_rejects_are_private_and_not_written_through_a_symlink(tmp_path: Path) -> None:
    rejects = Rejects(tmp_path / "new" / "rejects.jsonl")
    rejects.write("orgs", {"id": "1", "name": "secret body"}, "refused", 400)
    rejects.close()
    assert mode(tmp_path / "new" / "rejects.jsonl") == 0o600
    assert mode(tmp_path / "new") == 0o700

    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    os.symlink(victim, tmp_path / "planted.jsonl")
    planted = Rejects(tmp_path / "planted.jsonl")
    with pytest.raises(SystemExit, match="symbolic link"):
        planted.write("orgs", {"id": "2"}, "refused", 400)
    assert victim.read_text() == "untouched\n"


def test_the_dagster_plan_is_private_and_ignores_a_planted_temporary_name(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    os.symlink(victim, tmp_path / f".{path.name}.{os.getpid()}.tmp")  # the old temporary name
    plan.write(path, plan.Plan(account_id="acc", shards=2))
    assert victim.read_text() == "untouched\n"
    assert mode(path) == 0o600
    assert plan.Plan.from_json(json.loads(path.read_text())).shards == 2
