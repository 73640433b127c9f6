"""The shards' Meltano states and the plan kept beside them, in the project's state backend.

The plan lives where the shards' states live: a state entry of its own (``plan_state_id``:
``<environment>:tap-lexful-to-<loader>:<account>.plan``, Meltano's form with ``plan`` for the
shard), read with ``meltano state get`` and written with ``meltano state set`` against the
same backend and system database the shards' runs use. A run launcher that gives each run a
disk of its own keeps it, as it keeps the states.

The plan and the states go together: a plan made afresh while states exist would move most
organizations to other shards, each read again in full. So an organization shard that finds
no plan, stored or local, asks the backend (``meltano state list``) whether any organization
shard of the account has a state, and refuses to plan when one has.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from connector_core import safe_files
from lexful_api import contract
from lexful_dagster import shards
from lexful_dagster.config import Account, MeltanoProject

#: The key of the plan in its state entry (Meltano wants a ``singer_state`` object).
PLAN_KEY = "lexful_dagster_plan"
PLAN_SHARD = "plan"


class StatesWithoutPlan(RuntimeError):
    """States of the account's organization shards exist, and its plan does not."""


def _meltano_state(project: MeltanoProject, account: Account, *args: str) -> str:
    """The output of ``meltano state <args>`` against the project's state backend."""
    command = [project.executable]
    if project.environment:
        command += ["--environment", project.environment]
    command += ["state", *args]
    env = {**os.environ, **project.env, "NO_COLOR": "1"}
    done = subprocess.run(
        command,
        cwd=project.project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        msg = f"{account.name}: cannot reach the state backend (meltano state {args[0]}): {tail}"
        raise RuntimeError(msg)
    return done.stdout


def environment(project: MeltanoProject) -> str:
    """The Meltano environment the runs use: the project's, else meltano.yml's default."""
    if project.environment:
        return project.environment
    try:
        document = yaml.safe_load((project.project_dir / "meltano.yml").read_text())
    except FileNotFoundError:
        document = None
    default = document.get("default_environment") if isinstance(document, dict) else None
    return str(default or "default")


def plan_state_id(project: MeltanoProject, account: Account) -> str:
    suffix = shards.state_suffix(account, PLAN_SHARD)
    return f"{environment(project)}:{shards.EXTRACTOR}-to-{account.loader}:{suffix}"


class MeltanoPlanStore:
    """The account's plan as an entry of the Meltano state backend (``plan.PlanStore``)."""

    def __init__(self, project: MeltanoProject, account: Account) -> None:
        self.project = project
        self.account = account
        self.state_id = plan_state_id(project, account)

    def get(self) -> Any | None:
        raw = json.loads(_meltano_state(self.project, self.account, "get", self.state_id))
        singer_state = raw.get("singer_state") if isinstance(raw, dict) else None
        return singer_state.get(PLAN_KEY) if isinstance(singer_state, dict) else None

    def put(self, raw: dict[str, object]) -> None:
        text = json.dumps({"singer_state": {PLAN_KEY: raw}})
        with tempfile.TemporaryDirectory(prefix="lexful-dagster-") as scratch:
            path = Path(scratch) / "plan.json"
            safe_files.write_private(path, text.encode())
            args = ("set", "--force", self.state_id, "--input-file", str(path))
            _meltano_state(self.project, self.account, *args)

    def before_fresh_plan(self) -> None:
        found = organization_states(self.project, self.account)
        if found:
            msg = (
                f"{self.account.name}: the plan is missing (state {self.state_id} and "
                f"{self.account.plan_path}) but {len(found)} organization shard state(s) "
                f"exist ({found[0]}, ...): restore the plan, or clear those states (meltano "
                "state clear) to read the account again in full"
            )
            raise StatesWithoutPlan(msg)


def organization_states(project: MeltanoProject, account: Account) -> list[str]:
    """The state IDs of the account's organization shards in the project's state backend."""
    pattern = f"*:{shards.state_suffix(account, shards.ORGANIZATION_PREFIX)}*"
    out = _meltano_state(project, account, "list", "--pattern", pattern)
    return sorted(line.strip() for line in out.splitlines() if ":" in line)


Mark = tuple[str, str, frozenset[str] | None]


def bookmarks(project: MeltanoProject, account: Account, key: str) -> dict[str, Mark]:
    """The partition's bookmarks: stream -> (replication key value, id of the last record
    emitted at it, the organizations the bookmark covers (None: not recorded)), for the
    streams whose state follows ``created_at``."""
    suffix = shards.state_suffix(account, key)
    ids = _meltano_state(project, account, "list", "--pattern", f"*:{suffix}").split()
    found = [state_id for state_id in ids if state_id.endswith(f":{suffix}")]
    if not found:
        return {}
    raw = json.loads(_meltano_state(project, account, "get", found[0]))
    streams = (raw.get("singer_state") or {}).get("bookmarks") or {}
    marks: dict[str, Mark] = {}
    for stream, state in streams.items():
        value = state.get("replication_key_value")
        last = state.get("last_emitted") or {}
        covered = (state.get("scope") or {}).get("organization_ids")
        if state.get("replication_key") == "created_at" and value:
            marks[stream] = (
                contract.reformat_timestamp(str(value)),
                str(last.get("id") or ""),
                frozenset(covered) if isinstance(covered, list) else None,
            )
    return marks
