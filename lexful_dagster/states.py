"""The shards' Meltano states, as far as the plan needs them: do any exist for an account?

The plan and the shards' states go together: a state's bookmarks are only right for the
organizations the plan gave its shard. A plan made afresh while states exist would give
organizations to other shards, whose bookmarks have passed their records (lost) or not (read
twice). So an organization shard that finds no plan asks the state backend (``meltano state
list``, the same backend and system database its run uses) whether any organization shard of
the account has a state, and refuses to plan when one has.
"""

from __future__ import annotations

import json
import os
import subprocess

from lexful_api import contract
from lexful_dagster import shards
from lexful_dagster.config import Account, MeltanoProject


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
        msg = f"{account.name}: cannot read the shards' states (meltano state {args[0]}): {tail}"
        raise RuntimeError(msg)
    return done.stdout


def organization_states(project: MeltanoProject, account: Account) -> list[str]:
    """The state IDs of the account's organization shards in the project's state backend."""
    pattern = f"*:{shards.state_suffix(account, shards.ORGANIZATION_PREFIX)}*"
    out = _meltano_state(project, account, "list", "--pattern", pattern)
    return sorted(line.strip() for line in out.splitlines() if ":" in line)


def bookmarks(project: MeltanoProject, account: Account, key: str) -> dict[str, tuple[str, str]]:
    """The partition's bookmarks: stream -> (replication key value, id of the last record
    emitted at it), for the streams whose state follows ``created_at``."""
    suffix = shards.state_suffix(account, key)
    ids = _meltano_state(project, account, "list", "--pattern", f"*:{suffix}").split()
    found = [state_id for state_id in ids if state_id.endswith(f":{suffix}")]
    if not found:
        return {}
    raw = json.loads(_meltano_state(project, account, "get", found[0]))
    streams = (raw.get("singer_state") or {}).get("bookmarks") or {}
    marks: dict[str, tuple[str, str]] = {}
    for stream, state in streams.items():
        value = state.get("replication_key_value")
        last = state.get("last_emitted") or {}
        if state.get("replication_key") == "created_at" and value:
            marks[stream] = (contract.api_timestamp(str(value)), str(last.get("id") or ""))
    return marks


def refuse_without_plan(project: MeltanoProject, account: Account) -> None:
    """Raise when the account has no plan file but its organization shards have states."""
    if account.plan_path.exists():
        return
    found = organization_states(project, account)
    if found:
        msg = (
            f"{account.name}: the plan {account.plan_path} is missing but {len(found)} "
            f"organization shard state(s) exist ({found[0]}, ...): restore the plan file, or "
            "clear those states (meltano state clear) to read the account again in full"
        )
        raise StatesWithoutPlan(msg)
