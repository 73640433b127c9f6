"""The shards' Meltano states, as far as the plan needs them: do any exist for an account?

The plan and the shards' states go together: a state's bookmarks are only right for the
organizations the plan gave its shard. A plan made afresh while states exist would give
organizations to other shards, whose bookmarks have passed their records (lost) or not (read
twice). So an organization shard that finds no plan asks the state backend (``meltano state
list``, the same backend and system database its run uses) whether any organization shard of
the account has a state, and refuses to plan when one has.
"""

from __future__ import annotations

import os
import subprocess

from lexful_dagster import shards
from lexful_dagster.config import Account, MeltanoProject


class StatesWithoutPlan(RuntimeError):
    """States of the account's organization shards exist, and its plan does not."""


def organization_states(project: MeltanoProject, account: Account) -> list[str]:
    """The state IDs of the account's organization shards in the project's state backend."""
    command = [project.executable]
    if project.environment:
        command += ["--environment", project.environment]
    pattern = f"*:{shards.state_suffix(account, shards.ORGANIZATION_PREFIX)}*"
    command += ["state", "list", "--pattern", pattern]
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
        msg = f"{account.name}: cannot list the shards' states (meltano state list): {tail}"
        raise RuntimeError(msg)
    return sorted(line.strip() for line in done.stdout.splitlines() if ":" in line)


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
