"""What a sync logs: a line per stream start, progress, one summary per stream; no flood."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

SUMMARY = re.compile(r"Stream '(\w+)' done: (\d+) records(?: from (\d+) parents)?, (\d+) requests")


def _stderr(config: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    tap = Path(sys.executable).parent / "tap-lexful"
    done = subprocess.run(
        [str(tap), "--config", str(path)], capture_output=True, text=True, check=True
    )
    return done.stderr.splitlines()


def test_a_demo_sync_logs_a_screenful_with_a_summary_per_stream(demo_sandbox, tmp_path) -> None:
    lines = _stderr(demo_sandbox.config, tmp_path)
    assert len(lines) <= 150
    summaries = {m.group(1): m for line in lines if (m := SUMMARY.search(line))}
    assert {"organizations", "system_contact", "related_assets", "files"} <= set(summaries)
    contacts = summaries["system_contact"]
    assert int(contacts.group(2)) > 200
    assert int(contacts.group(4)) >= 1
    links = summaries["related_assets"]
    assert int(links.group(2)) > 0
    assert int(links.group(3)) > 500  # one child sync per live asset, counted
    assert not any("Beginning sync of 'files'" in line for line in lines)


def test_child_syncs_are_logged_when_asked(demo_sandbox, tmp_path) -> None:
    lines = _stderr(demo_sandbox.config | {"log_child_syncs": True}, tmp_path)
    per_parent = [line for line in lines if "Beginning sync of 'files'" in line]
    assert len(per_parent) > 500
