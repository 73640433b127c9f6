"""Peak memory of a child process, as the kernel counts it (no timing involved)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

_RUN = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    "sys.stderr.buffer.write(done.stderr)\n"
    "sys.stdout.buffer.write(done.stdout)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
)


def peak_rss_mib(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run ``command``; its peak RSS in MiB (``getrusage`` of its parent) and its output."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    *log, peak = done.stderr.rstrip("\n").split("\n")
    return int(peak) / 1024, done.stdout + "\n".join(log)
