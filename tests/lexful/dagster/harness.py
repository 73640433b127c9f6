"""What the Dagster tests share: an accounts file for sandboxes, partitions run in process, the
loader's output read back, and one full ``meltano run`` to compare the shards with.

Every Meltano run of a test keeps its system database and its state under the test's own
directory (``MELTANO_DATABASE_URI``, ``MELTANO_STATE_BACKEND_URI=file://...``: the local form of
a remote state backend), so tests never share a state.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, ExecuteInProcessResult, PipesSubprocessClient, materialize

from lexful_dagster import config, rundir, shards
from lexful_dagster.assets import account_asset
from lexful_dagster.config import Account, Settings
from tests.e2e.pipeline import ROOT, meltano, meltano_bin, meltano_env

ACCOUNT_STREAMS = set(shards.ACCOUNT_STREAMS)
#: Full-table streams: every run reads them whole, so a second run writes them again.
FULL_TABLE = frozenset({"organization_types", "asset_types", "asset_counts"})
#: Full-table streams whose records change between runs (by key): the latest is compared.
LATEST_ONLY = frozenset({"asset_counts"})
#: One retry: a failing sandbox fails its partitions in seconds.
FAST_FAILURE = {"max_tries": 2}


def accounts_file(
    tmp: Path,
    accounts: dict[str, tuple[dict[str, str], int]],
    monkeypatch: pytest.MonkeyPatch,
    meltano_home: Path | None = None,
    tap_settings: dict[str, Any] | None = None,
) -> Settings:
    """Write an accounts file for ``name: (credentials, organization shards)``; load it.

    ``meltano_home``: the Meltano system directory whose installed plugins the runs use.
    """
    entries = []
    for name, (credentials, count) in accounts.items():
        secret_env = f"LEXFUL_TEST_SECRET_{name.upper()}"
        monkeypatch.setenv(secret_env, credentials["api_key_secret"])
        entries.append(
            {
                "name": name,
                "api_url": credentials["api_url"],
                "account_id": credentials["account_id"],
                "api_key_id": credentials["api_key_id"],
                "api_key_secret_env": secret_env,
                "organization_shards": count,
                "loader": "target-jsonl",
                "loader_env": {"TARGET_JSONL_DESTINATION_PATH": f"{tmp}/out/{{account}}/{{shard}}"},
                "tap_settings": FAST_FAILURE | (tap_settings or {}),
            }
        )
    env = meltano_dirs(tmp)
    if meltano_home is not None:
        env["MELTANO_SYS_DIR_ROOT"] = str(meltano_home)
    document = {
        "meltano": {"project_dir": str(ROOT), "executable": meltano_bin(), "env": env},
        "accounts": entries,
    }
    path = tmp / "lexful-dagster.yml"
    path.write_text(yaml.safe_dump(document))
    settings = config.load(path)
    for account in settings.accounts:  # target-jsonl writes into a directory that exists
        for key in shards.partition_keys(account):
            output_dir(tmp, account.name, key).mkdir(parents=True)
    return settings


def meltano_dirs(tmp: Path) -> dict[str, str]:
    return {
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp}/meltano.db",
        "MELTANO_STATE_BACKEND_URI": f"file://{tmp}/state",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def output_dir(tmp: Path, account: str, key: str) -> Path:
    return tmp / "out" / account / key


def materialize_partition(
    settings: Settings, account: Account, key: str, instance: DagsterInstance
) -> ExecuteInProcessResult:
    """One partition, in process, as a run of its own (as a Dagster backfill runs it)."""
    return materialize(
        [account_asset(settings, account)],
        partition_key=key,
        instance=instance,
        resources={"pipes_subprocess_client": PipesSubprocessClient()},
        raise_on_error=False,
    )


def materialize_all(
    settings: Settings, instance: DagsterInstance, only: set[tuple[str, str]] | None = None
) -> dict[tuple[str, str], ExecuteInProcessResult]:
    """Every partition (or those in ``only``), the accounts' partitions interleaved."""
    keys = [(a, k) for a in settings.accounts for k in shards.partition_keys(a)]
    keys.sort(key=lambda pair: shards.partition_keys(pair[0]).index(pair[1]))
    return {
        (account.name, key): materialize_partition(settings, account, key, instance)
        for account, key in keys
        if only is None or (account.name, key) in only
    }


def metadata(result: ExecuteInProcessResult) -> dict[str, Any]:
    """The metadata of the partition's one materialization."""
    (event,) = result.get_asset_materialization_events()
    materialization = event.materialization
    return {key: value.value for key, value in materialization.metadata.items()}


def failure_message(result: ExecuteInProcessResult) -> str:
    (event,) = result.get_step_failure_events()
    error = event.step_failure_data.error
    return f"{error.message}\n{error.cause.message if error and error.cause else ''}"


def read_output(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Every record target-jsonl wrote under ``directory``, by stream."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.rglob("*.jsonl")):
        lines = path.read_text().splitlines()
        found.setdefault(path.stem, []).extend(json.loads(line) for line in lines if line)
    return found


def full_run(settings: Settings, account: Account, tmp: Path) -> dict[str, list[dict[str, Any]]]:
    """One plain ``meltano run tap-lexful target-jsonl`` of the whole account, from no state."""
    out = tmp / f"full-{uuid.uuid4().hex[:8]}"
    out.mkdir()
    env = meltano_env(account.connection(), None)
    env |= dict(settings.meltano.env)
    env |= {
        f"TAP_LEXFUL_{k.upper()}": v if isinstance(v, str) else json.dumps(v)
        for k, v in account.tap_settings.items()
    }
    env |= {f"TAP_LEXFUL_{k.upper()}": v for k, v in account.connection().items()}
    env |= {"TAP_LEXFUL__SELECT": '["*.*"]', "TARGET_JSONL_DESTINATION_PATH": str(out)}
    env |= rundir.isolated_env(settings.meltano, out.name)
    meltano("run", "--state-id-suffix", out.name, "tap-lexful", "target-jsonl", env=env)
    return read_output(out)


def key_of(stream: str, record: dict[str, Any]) -> tuple[str, ...]:
    if stream == "related_assets":
        return (record["asset_id"], record["related_asset_id"])
    if stream == "asset_counts":
        return (record["asset_type"], record["organization_id"])
    return (record["id"],)


def differences(
    union: dict[str, list[dict[str, Any]]],
    full: dict[str, list[dict[str, Any]]],
    runs: int = 1,
) -> dict[str, dict[str, int]]:
    """Per stream: records the shards missed, read twice, or read that one run did not.

    After ``runs`` runs, each full-table record is there ``runs`` times: by design, not twice.
    """
    report = {}
    for stream in sorted(set(union) | set(full)):
        records = union.get(stream, [])
        if stream in LATEST_ONLY:
            # The counts change with the data: each run's are the account's at that moment,
            # so the last ones read (output is appended) are what a full run reads now.
            records = list({key_of(stream, r): r for r in records}.values())
        elif stream in FULL_TABLE:
            assert len(records) % runs == 0, (stream, len(records), runs)
            records = sorted(records, key=_canonical)[::runs]
        got = Counter(_canonical(r) for r in records)
        want = Counter(_canonical(r) for r in full.get(stream, []))
        keys = Counter(key_of(stream, r) for r in records)
        report[stream] = {
            "missing": sum((want - got).values()),
            "extra": sum((got - want).values()),
            "duplicates": sum(n - 1 for n in keys.values() if n > 1),
        }
    return report


def assert_union_is_full_run(
    tmp: Path, settings: Settings, account: Account, runs: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """The shards' output together is one full run's: 0 missing, 0 extra, 0 read twice."""
    union = read_output(tmp / "out" / account.name)
    full = full_run(settings, account, tmp)
    report = differences(union, full, runs)
    clean = {"missing": 0, "extra": 0, "duplicates": 0}
    assert report == dict.fromkeys(report, clean), report
    assert set(union) == set(full)
    return union


def assert_merged_union_is_full_run(
    tmp: Path, settings: Settings, account: Account
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, set[tuple[str, ...]]]]:
    """The shards' output after a loader's merge by key is one full run's: 0 missing, 0 extra,
    no key with two different records. Returns the union and, per stream, the keys read more
    than once (organizations that moved between shards are read again by their new one)."""
    union = read_output(tmp / "out" / account.name)
    full = full_run(settings, account, tmp)
    read_again: dict[str, set[tuple[str, ...]]] = {}
    report = {}
    for stream in sorted(set(union) | set(full)):
        records = union.get(stream, [])
        if stream in LATEST_ONLY:
            records = list({key_of(stream, r): r for r in records}.values())
        copies = Counter(key_of(stream, r) for r in records)
        if stream not in FULL_TABLE:
            read_again[stream] = {key for key, n in copies.items() if n > 1}
        merged = {_canonical(r): r for r in records}  # identical copies: one row after a merge
        got = Counter(list(merged))
        want = Counter(_canonical(r) for r in full.get(stream, []))
        keys = Counter(key_of(stream, r) for r in merged.values())
        report[stream] = {
            "missing": sum((want - got).values()),
            "extra": sum((got - want).values()),
            "conflicting": sum(n - 1 for n in keys.values() if n > 1),
        }
    clean = {"missing": 0, "extra": 0, "conflicting": 0}
    assert report == dict.fromkeys(report, clean), report
    assert set(union) == set(full)
    return union, read_again


def _canonical(record: dict[str, Any]) -> str:
    # asset_counts' read_at is when a run read the count: two runs never agree on it.
    return json.dumps({k: v for k, v in record.items() if k != "read_at"}, sort_keys=True)


def run_shard_directly(
    settings: Settings, account: Account, key: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The partition's ``meltano run``, without Dagster (to place a write between its steps)."""
    command = shards.meltano_command(settings.meltano, account, key)
    env = env | rundir.isolated_env(settings.meltano, shards.state_suffix(account, key))
    base = meltano_env(
        {"api_url": "", "account_id": "", "api_key_id": "", "api_key_secret": ""}, None
    )
    result = subprocess.run(
        command, cwd=ROOT, env=base | env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def two_shards_synced(
    sandbox_config: dict[str, str],
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    meltano_home: Path,
) -> tuple[Settings, Account, DagsterInstance]:
    """One account ("north", 2 organization shards) on a fresh instance, every partition
    materialized once, each a success."""
    settings = accounts_file(tmp, {"north": (sandbox_config, 2)}, monkeypatch, meltano_home)
    instance = DagsterInstance.ephemeral()
    assert all(result.success for result in materialize_all(settings, instance).values())
    return settings, settings.accounts[0], instance
