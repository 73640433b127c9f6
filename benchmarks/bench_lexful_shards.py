"""What sharding buys: 4 organization shards as processes against one run of the same account.

One run prints a table with the wall-clock seconds of, alternated, best of 2 each:
- one ``meltano run tap-lexful target-jsonl`` of the whole account;
- the 5 partitions lexful_dagster runs for 4 shards (the account-wide one and 4 organization
  shards), each its own ``meltano run`` process, all at once, each after refreshing the plan;
and their ratio. The sandbox answers every request in 50 ms (its own process: it never
shares the GIL with what is measured), with the demo account plus ``--seed-scale`` assets
spread over its organizations. The commands and environments are lexful_dagster's own
(``shards``, ``plan``, ``rundir``); Dagster itself is not in the loop, so the figure is the
shards', not an executor's. Each measured run starts from no state (a state directory of its
own) and both sides must emit the same number of records.

Usage: ``.venv/bin/python benchmarks/bench_lexful_shards.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_lexful_tap import sandbox

from lexful_api.settings import client_from_config
from lexful_dagster import plan, rundir, shards
from lexful_dagster.config import Account, MeltanoProject
from lexful_dagster.pipes_job import read_log

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHARDS = 4
LATENCY_MS = 50
SECRET_ENV = "LEXFUL_BENCH_SECRET"


def meltano_bin() -> str:
    path = os.environ.get("MELTANO_BIN", str(ROOT / ".venv-meltano" / "bin" / "meltano"))
    if not Path(path).exists():
        raise SystemExit(f"Meltano is not installed at {path}: run `make meltano`")
    return path


def project(tmp: Path, run: str) -> MeltanoProject:
    """The Meltano project, with a system database and state of this measured run's own."""
    state = tmp / run
    state.mkdir()
    env = {
        "MELTANO_DATABASE_URI": f"sqlite:///{state}/meltano.db",
        "MELTANO_STATE_BACKEND_URI": f"file://{state}/state",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return MeltanoProject(ROOT, meltano_bin(), env=env)


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=base_env() | env, stdout=out, stderr=out)


def records_in(log: Path) -> int:
    with log.open() as lines, open(os.devnull, "w") as sink:
        return sum(read_log(lines, sink)[0].values())


def wait_all(children: list[tuple[subprocess.Popen[bytes], Path]]) -> int:
    """Wait for every process; the records they emitted; stop on a failure."""
    for child, log in children:
        if child.wait() != 0:
            raise SystemExit(f"a run failed:\n{log.read_text()[-3000:]}")
    return sum(records_in(log) for _, log in children)


def one_run(account: Account, tmp: Path, run: str) -> tuple[int, float]:
    """(records, seconds) of one plain run of the whole account."""
    melt = project(tmp, run)
    out = tmp / run / "out"
    out.mkdir()
    env = dict(melt.env)
    env |= {f"TAP_LEXFUL_{k.upper()}": v for k, v in account.connection().items()}
    env |= {"TAP_LEXFUL__SELECT": '["*.*"]', "TARGET_JSONL_DESTINATION_PATH": str(out)}
    env |= rundir.isolated_env(melt, f"bench-{run}")
    command = [melt.executable, "run", "--state-id-suffix", run, "tap-lexful", "target-jsonl"]
    start = time.perf_counter()
    records = wait_all([(launch(command, env, tmp / f"{run}.log"), tmp / f"{run}.log")])
    return records, time.perf_counter() - start


def sharded_run(account: Account, tmp: Path, run: str) -> tuple[int, float]:
    """(records, seconds) of the 5 partitions at once, each planning first as it does."""
    melt = project(tmp, run)
    account = replace(account, name=run)  # the state IDs of this measured run
    start = time.perf_counter()
    children = [partition(melt, account, key, tmp) for key in shards.partition_keys(account)]
    records = wait_all(children)
    return records, time.perf_counter() - start


def partition(
    melt: MeltanoProject, account: Account, key: str, tmp: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp / account.name / key
    out.mkdir(parents=True)
    account = replace(account, loader_env={"TARGET_JSONL_DESTINATION_PATH": str(out)})
    shard = shards.organization_shard(key)
    if shard is None:
        env = shards.meltano_env(melt, account, key)
    else:
        client = client_from_config(account.client_config(), user_agent=None, concurrency=8)
        prepared = plan.prepare_shard(client, account, shard)
        client.close()
        filters = shards.bound_filters(prepared.asset_types, "created_at", prepared.bound)
        env = shards.meltano_env(melt, account, key, prepared.organization_ids, filters)
    env |= rundir.isolated_env(melt, shards.state_suffix(account, key))
    log = tmp / f"{account.name}.{key}.log"
    return launch(shards.meltano_command(melt, account, key), env, log), log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    args = parser.parse_args()
    seed_scale = 400 if args.quick else 4_000
    with (
        sandbox(seed_scale, LATENCY_MS, seed="demo") as creds,
        tempfile.TemporaryDirectory() as tmp_dir,
    ):
        tmp = Path(tmp_dir)
        os.environ[SECRET_ENV] = creds["api_key_secret"]
        account = Account(
            name="bench",
            api_url=creds["api_url"],
            account_id=creds["account_id"],
            api_key_id=creds["api_key_id"],
            api_key_secret_env=SECRET_ENV,
            organization_shards=SHARDS,
            loader="target-jsonl",
            plan_path=tmp / "bench.plan.json",
        )
        start = time.perf_counter()
        client = client_from_config(account.client_config(), user_agent=None, concurrency=8)
        first = plan.prepare_shard(client, account, 0)
        client.close()
        planning = time.perf_counter() - start
        saved = plan.read(account.plan_path)
        assert saved is not None
        singles, sharded = [], []
        for i in range(2):  # alternated: a neighbour's burst hits both sides alike
            singles.append(one_run(account, tmp, f"single{i}"))
            sharded.append(sharded_run(account, tmp, f"sharded{i}"))
        report(singles, sharded, saved, planning, len(first.asset_types))


def report(singles, sharded, saved: plan.Plan, planning: float, types: int) -> None:
    single_records, single_s = min(singles, key=lambda r: r[1])
    shard_records, shard_s = min(sharded, key=lambda r: r[1])
    if single_records != shard_records:
        raise SystemExit(f"records differ: one run {single_records}, shards {shard_records}")
    weights = ", ".join(str(w) for w in saved.weights())
    print(
        f"{len(saved.organizations)} organizations, {sum(saved.weights())} assets "
        f"({types} types), {LATENCY_MS} ms a request; shard weights (assets): {weights}; "
        f"first plan {planning:.2f} s"
    )
    print(f"| {'run':<52} | {'records':>8} | {'seconds':>8} |")
    print(f"|{'-' * 54}|{'-' * 10}|{'-' * 10}|")
    print(f"| {'one meltano run (best of 2)':<52} | {single_records:>8} | {single_s:>8.1f} |")
    label = f"{SHARDS} org shards + account-wide at once (best of 2)"
    print(f"| {label:<52} | {shard_records:>8} | {shard_s:>8.1f} |")
    print(f"one run / shards: {single_s / shard_s:.2f}x")


if __name__ == "__main__":
    main()
