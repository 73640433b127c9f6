"""`make bench`: every benchmark in one go, each printing ratios measured side by side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "bench_sandbox.py",
    "bench_tap.py",
    "bench_children.py",
    "bench_target.py",
    "bench_airbyte.py",
    "bench_shards.py",
    "bench_lightfield.py",
)


def main() -> int:
    failed = []
    for name in SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
