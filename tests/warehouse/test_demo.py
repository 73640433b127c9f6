"""`make demo` twice: a full run, then an incremental one, each into the same PostgreSQL.

The demo runs in a directory and under a Meltano state of the test's own (DEMO_OUTPUT,
DEMO_STATE_ID_SUFFIX). Its sandbox keeps its data in a file and its PostgreSQL its database in
a directory, so the test opens both afterwards and compares the warehouse with what tap-lexful
emits for the account.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lexful_sandbox import running_sandbox
from tests.e2e.pipeline import ROOT, meltano_bin
from tests.warehouse.warehouses import (
    TapOutput,
    assert_loaded,
    postgres_server,
    postgres_warehouse,
    tap_output,
)

pytestmark = pytest.mark.meltano
READ = re.compile(r"read (\d+) records(?: in \d+ streams)?: (.*?)[.;]$", re.MULTILINE)


def demo(output: Path, state_id: str) -> str:
    env = os.environ | {
        "DEMO_OUTPUT": str(output),
        "DEMO_STATE_ID_SUFFIX": state_id,
        "MELTANO_BIN": meltano_bin(),
    }
    command = [sys.executable, str(ROOT / "scripts" / "demo.py")]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"the demo failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.stdout


def said_read(stdout: str) -> tuple[int, dict[str, int]]:
    """The demo's "read N records: 5 organization_types, 27 organizations, ..." line."""
    found = READ.search(stdout)
    assert found, f"the demo did not say what it read:\n{stdout}"
    per_stream = {}
    for part in found.group(2).split(", "):
        count, stream = part.split(" ")
        per_stream[stream] = int(count)
    return int(found.group(1)), per_stream


def account(output: Path) -> TapOutput:
    """What tap-lexful emits for the demo's account, served again from the demo's own file."""
    with running_sandbox(seed="demo", db=str(output / "sandbox.sqlite")) as sandbox:
        return tap_output(output, sandbox.config)


def assert_warehouse_holds(output: Path, expected: TapOutput) -> None:
    """The demo's database (its server stopped by now) holds the account, started again."""
    with postgres_server(output / "postgres") as server:
        assert_loaded(postgres_warehouse(server.get_uri()), expected)


def test_make_demo_twice_is_full_then_incremental(tmp_path: Path) -> None:
    output, state_id = tmp_path / "demo-output", f"test-{uuid.uuid4().hex}"

    first = demo(output, state_id)
    assert "Full run" in first
    before = account(output)
    assert_warehouse_holds(output, before)
    # The rows the demo read back with SQL: the newest organization first.
    newest = max(before.records["organizations"], key=lambda o: o["created_at"])
    read_back = first.split("Read back with SQL:", 1)[1]
    assert f"  {newest['name']}  " in read_back
    total, per_stream = said_read(first)
    assert per_stream == {s: len(r) for s, r in before.records.items()}
    assert total == sum(per_stream.values())

    second = demo(output, state_id)
    assert "Incremental run" in second
    assert "Added to the sandbox since the last run" in second
    after = account(output)
    assert_warehouse_holds(output, after)
    total, per_stream = said_read(second)
    full_table = {s: len(before.records[s]) for s in ("organization_types", "asset_types")}
    # asset_counts is read whole every run: one count more, the new organization's contact.
    full_table["asset_counts"] = len(before.records["asset_counts"]) + 1
    assert per_stream == {**full_table, "organizations": 1, "system_contact": 1}
    assert total == sum(per_stream.values())
    assert f"PostgreSQL on {output / 'postgres'}" in second
    assert "make demo-psql" in second
    newest = max(after.records["organizations"], key=lambda o: o["created_at"])
    assert newest["name"].startswith("New since the last run")
    assert f"  {newest['name']}  " in second.split("Read back with SQL:", 1)[1]
