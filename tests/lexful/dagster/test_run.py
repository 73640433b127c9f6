"""One command for every partition of every account, and the jobs and schedules offered."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from dagster import build_schedule_context

from lexful_dagster.assets import build_definitions
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import ROOT
from tests.lexful.dagster.harness import accounts_file, assert_union_is_full_run

pytestmark = pytest.mark.meltano


def test_one_command_runs_every_partition_of_every_account(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    other = demo_sandbox.new_account()
    settings = accounts_file(
        tmp_path,
        {"north": (demo_sandbox.config, 2), "south": (other, 1)},
        monkeypatch,
        meltano_home,
    )
    home = tmp_path / "dagster-home"
    home.mkdir()
    env = os.environ | {
        "LEXFUL_DAGSTER_CONFIG": str(tmp_path / "lexful-dagster.yml"),
        "DAGSTER_HOME": str(home),
    }
    done = subprocess.run(
        [sys.executable, "-m", "lexful_dagster.run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split(" (run")[0] for line in done.stdout.splitlines()]
    assert lines == [
        "north account: ok",
        "north orgs-0: ok",
        "north orgs-1: ok",
        "south account: ok",
        "south orgs-0: ok",
    ]
    for account in settings.accounts:
        assert_union_is_full_run(tmp_path, settings, account)

    wrong = subprocess.run(
        [sys.executable, "-m", "lexful_dagster.run", "--account", "west"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "error: --account: no account named ['west']; ['north', 'south']"


def test_each_account_has_a_job_and_a_schedule_of_every_partition(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = accounts_file(
        tmp_path,
        {"north": (demo_sandbox.config, 3), "south": (demo_sandbox.config, 1)},
        monkeypatch,
    )
    defs = build_definitions(settings)
    job = defs.resolve_job_def("lexful_north")
    assert job.partitions_def is not None
    assert job.partitions_def.get_partition_keys() == ["account", "orgs-0", "orgs-1", "orgs-2"]
    schedule = defs.resolve_schedule_def("lexful_south_every_shard")
    assert schedule.cron_schedule == "0 * * * *"
    assert schedule.default_status.value == "STOPPED"
    tick = datetime(2026, 1, 1, tzinfo=timezone.utc)
    data = schedule.evaluate_tick(
        build_schedule_context(
            repository_def=defs.get_repository_def(), scheduled_execution_time=tick
        )
    )
    assert [r.partition_key for r in data.run_requests or []] == ["account", "orgs-0"]
