"""A variant no fallback covers, where a setting adapts the connectors: the command line stops
before any record with ONE line at WARNING or above, naming what differs and the setting; no
"adapted" warning before it, no traceback, no "Config validation failed" after it.

tap-lexful against ``lexful-sandbox serve --variant single-sort`` with the deletes pass on
(``emit_deletes: true``, the default): the pass walks ``deleted_at``, which a one-key sort
cannot order. target-lightfield with ``match_on`` against ``filters-ignored``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from lexful_sandbox import running_sandbox
from lightfield_sandbox import running_sandbox as running_lightfield
from lightfield_sandbox.common import variants as lightfield_variants
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import tap_lines, target_config, with_demo_members
from tests.variants.test_lexful_variants import QUICK

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOUD = ("WARNING", "ERROR", "CRITICAL")


def loud_lines(stderr: str) -> list[str]:
    """The non-empty stderr lines at WARNING or above; every non-empty line must be a log
    line of the SDK's format (a traceback's lines are not)."""
    loud = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        parts = line.split(" | ", 3)
        assert len(parts) == 4, f"not a log line: {line!r}\n{stderr[-2000:]}"
        level = parts[1].strip()
        assert level in LEVELS, line
        if level in LOUD:
            loud.append(line)
    return loud


def run_tap_lexful(
    tmp_path: Path, settings: dict[str, object], *flags: str
) -> tuple[subprocess.CompletedProcess[str], int]:
    """tap-lexful against ``single-sort`` with ``settings``: its run and the writes it made."""
    with running_sandbox(seed="demo", variants=["single-sort"], subprocess=True) as sb:
        config = tmp_path / "config.json"
        config.write_text(json.dumps({**sb.config, **QUICK, **settings}))
        command = [sys.executable, "-m", "tap_lexful.tap", "--config", str(config), *flags]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        writes = sb.stats()["writes"]
    return done, writes


def test_tap_lexful_single_sort_with_the_deletes_pass_stops_the_sync_in_one_line(
    tmp_path: Path,
) -> None:
    done, writes = run_tap_lexful(tmp_path, {"emit_deletes": True})
    assert done.returncode != 0
    assert '"RECORD"' not in done.stdout.replace(" ", "")
    assert '"streams"' not in done.stdout
    loud = loud_lines(done.stderr)
    assert len(loud) == 1, done.stderr[-2000:]
    line = loud[0]
    assert "| ERROR " in line
    assert "sorts lists on one key only" in line  # what differs
    assert "set emit_deletes: false" in line  # the setting that adapts
    assert writes == 0


def test_tap_lexful_discovers_under_single_sort_whatever_the_sync_settings(
    tmp_path: Path,
) -> None:
    """Discovery (meltano select --list) is not a sync: the walks a sync needs do not stop
    it; the catalog comes out, exit 0."""
    done, writes = run_tap_lexful(
        tmp_path, {"emit_deletes": True, "replication_key": "updated_at"}, "--discover"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {stream["tap_stream_id"] for stream in json.loads(done.stdout)["streams"]}
    assert {"organizations", "users", "asset_types"} <= names
    assert not [line for line in loud_lines(done.stderr) if "| ERROR " in line]
    assert writes == 0


def test_tap_lexful_single_sort_names_every_setting_in_its_one_line(tmp_path: Path) -> None:
    """updated_at and the deletes pass both need a two-key sort: the one line names both
    settings, so that one change of the config is enough."""
    done, writes = run_tap_lexful(tmp_path, {"emit_deletes": True, "replication_key": "updated_at"})
    assert done.returncode == 1
    assert '"RECORD"' not in done.stdout.replace(" ", "")
    loud = loud_lines(done.stderr)
    assert len(loud) == 1, done.stderr[-2000:]
    assert "replication_key: created_at" in loud[0]
    assert "emit_deletes: false" in loud[0]
    assert writes == 0


def test_target_lightfield_match_on_under_ignored_filters_stops_in_one_line(
    tmp_path: Path,
) -> None:
    with running_lightfield(seed="demo", variants=[lightfield_variants.FILTERS_IGNORED]) as sb:
        lines = tap_lines(sb.config)
        creds = sb.new_account()
        with_demo_members(sb, creds)
        requests.post(
            f"{sb.api_url}/v1/accounts",
            json={"fields": {"$name": "Already There Inc"}},
            headers=Reader(creds).headers,
            timeout=30,
        ).raise_for_status()
        config = tmp_path / "config.json"
        config.write_text(
            json.dumps(target_config(creds, tmp_path, match_on={"accounts": ["$name"]}))
        )
        before = sb.stats()["writes"]
        done = subprocess.run(
            [sys.executable, "-m", "target_lightfield.target", "--config", str(config)],
            input="".join(line + "\n" for line in lines),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        writes = sb.stats()["writes"] - before
    assert done.returncode != 0
    loud = loud_lines(done.stderr)
    assert len(loud) == 1, done.stderr[-2000:]
    assert "| ERROR " in loud[0]
    assert "ignored the filter" in loud[0]  # what differs
    assert "remove 'accounts' from match_on" in loud[0]  # the setting that adapts
    assert writes == 0
