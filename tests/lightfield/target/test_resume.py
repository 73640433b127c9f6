"""Kill target-lightfield (a real process, SIGKILL) mid-copy, resume from its last STATE: no
record is created twice, and the copy equals the source."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lightfield_sandbox import Sandbox
from tests.e2e.pipeline import BIN, write_config
from tests.lightfield.tap.helpers import tap_config
from tests.lightfield.target.helpers import (
    COMPARED,
    comparable,
    id_pairs,
    member_pairs,
    members,
    target_config,
    with_demo_members,
    workspace,
)


class KillAt:
    """A sandbox hook: SIGKILL the target at its ``nth`` create (disarmed after)."""

    def __init__(self, nth: int) -> None:
        self.nth, self.seen, self.pid, self.fired = nth, 0, 0, False

    def __call__(self, method: str, path: str, query: dict[str, str]) -> None:
        if self.fired or method != "POST" or path.count("/") != 2:  # POST /v1/<collection>
            return
        self.seen += 1
        if self.seen == self.nth and self.pid:
            self.fired = True
            os.kill(self.pid, signal.SIGKILL)


def pipe(
    tmp: Path, source: dict, target: dict, state: Any, kill: KillAt | None
) -> tuple[int, list]:
    """`tap-lightfield [--state] | python -m target_lightfield.target`: rc and STATE lines."""
    tap_args = [
        str(BIN / "tap-lightfield"),
        "--config",
        str(write_config(tmp / "tap.json", source)),
    ]
    if state is not None:
        tap_args += ["--state", str(write_config(tmp / "state.json", state))]
    target_args = [sys.executable, "-m", "target_lightfield.target", "--config"]
    target_args.append(str(write_config(tmp / "target.json", target)))
    with (tmp / "tap.log").open("ab") as log, (tmp / "target.log").open("ab") as target_log:
        tap = subprocess.Popen(tap_args, stdout=subprocess.PIPE, stderr=log)
        proc = subprocess.Popen(
            target_args, stdin=tap.stdout, stdout=subprocess.PIPE, stderr=target_log
        )
        assert tap.stdout is not None
        tap.stdout.close()
        if kill is not None:
            kill.pid = proc.pid
        out, _ = proc.communicate(timeout=300)
        tap.wait(timeout=300)
    return proc.returncode, [json.loads(line) for line in out.decode().splitlines() if line.strip()]


@pytest.mark.parametrize("nth", [1, 12, 30])
def test_killed_target_resumes_without_creating_twice(demo_sandbox: Sandbox, tmp_path: Path, nth):
    creds = demo_sandbox.new_account()
    with_demo_members(demo_sandbox, creds)
    source = tap_config(demo_sandbox.config)
    config = target_config(creds, tmp_path, batch_size_rows=5)
    kill = KillAt(nth)
    demo_sandbox.add_hook(kill)
    rc, states = pipe(tmp_path, source, config, None, kill)
    assert kill.fired
    assert rc == -signal.SIGKILL
    rc, _ = pipe(tmp_path, source, config, states[-1] if states else None, None)
    assert rc == 0, (tmp_path / "target.log").read_text()[-2000:]

    src, copy = workspace(demo_sandbox.config), workspace(creds)
    for stream in COMPARED:  # no record twice: as many as the source
        assert len(copy[stream]) == len(src[stream]), stream
    ids = id_pairs(src, copy, member_pairs(members(demo_sandbox.config), members(creds)))
    for stream in COMPARED:
        want = sorted(json.dumps(comparable(r, ids), sort_keys=True) for r in src[stream])
        got = sorted(json.dumps(comparable(r), sort_keys=True) for r in copy[stream])
        if stream == "meetings":  # its transcript is a file, not copied: written without it
            want = [w for w in want if "Recorded demo" not in w]
            got = [g for g in got if "Recorded demo" not in g]
        assert set(got) <= set(want), stream
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 3, "a reject written twice across the resume"  # the 3 files
