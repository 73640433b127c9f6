"""Interrupt a real `tap-lexful | target-lexful` pipe at a chosen request, then resume it.

The sandbox runs in this process, so a hook sees every request the target sends and can
signal the target at an exact point (the Nth asset create, the first file upload...). The
resume is what `meltano run` does after a failure: the tap started from the last STATE the
target printed, into a target with the same id map and rejects file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lexful_sandbox import HookAnswer
from tests.e2e.pipeline import BIN, write_config

Predicate = Callable[[str, str], bool]


@dataclass
class Interrupt:
    """A sandbox hook that sends ``signum`` to the target at the ``nth`` matching request.

    Hooks cannot be removed from a sandbox: once fired (or disarmed) it does nothing.
    """

    matches: Predicate
    nth: int = 1
    signum: int = signal.SIGKILL
    fail_from_then_on: bool = False  # instead of a signal: every matching write gets a 503
    pid: int | None = None
    seen: int = 0
    fired: bool = False
    armed: bool = True

    def __call__(self, method: str, path: str, query: dict[str, str]) -> None:
        if not self.armed or not self.matches(method, path):
            return
        self.seen += 1
        if self.seen < self.nth:
            return
        self.fired = True
        if self.fail_from_then_on:
            raise HookAnswer(503, "injected outage")
        self.armed = False
        if self.pid is not None:
            os.kill(self.pid, self.signum)


@dataclass
class Run:
    target_rc: int
    tap_rc: int
    states: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""


def pipe(
    tmp: Path,
    tap_config: dict[str, Any],
    target_config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    interrupt: Interrupt | None = None,
    name: str = "run",
) -> Run:
    """`tap-lexful [--state] | target-lexful`; the target's STATE lines and exit codes."""
    tap_args = [
        str(BIN / "tap-lexful"),
        "--config",
        str(write_config(tmp / "tap.json", tap_config)),
    ]
    if state is not None:
        tap_args += ["--state", str(write_config(tmp / f"{name}-state.json", state))]
    target_cfg = write_config(tmp / "target.json", target_config)
    with (tmp / f"{name}-tap.log").open("wb") as tap_log:
        tap = subprocess.Popen(tap_args, stdout=subprocess.PIPE, stderr=tap_log)
        target = subprocess.Popen(
            [str(BIN / "target-lexful"), "--config", str(target_cfg)],
            stdin=tap.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert tap.stdout is not None
        tap.stdout.close()  # the target holds the pipe: the tap sees EPIPE if the target dies
        if interrupt is not None:
            interrupt.pid = target.pid
        out, err = target.communicate(timeout=300)
        if interrupt is not None:
            interrupt.armed = False
        tap_rc = tap.wait(timeout=300)
    (tmp / f"{name}-target.log").write_bytes(err)
    states = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    return Run(target.returncode, tap_rc, states, err.decode(errors="replace"))
