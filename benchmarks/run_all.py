"""`make bench`: every benchmark in one go, each printing ratios measured side by side.

Each script's output is also written to ``docs/benchmarks/<script>.txt`` (beside the charts
the scripts draw there), so that the README's figures and charts come from the same run.
``--quick`` is passed on to the scripts that have it; ``--only bench_lexful_grid.py ...`` runs some.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "benchmarks"
SCRIPTS = (
    "bench_lexful_sandbox.py",
    "bench_lexful_grid.py",
    "bench_lexful_tap.py",
    "bench_lexful_children.py",
    "bench_lexful_target.py",
    "bench_lexful_airbyte.py",
    "bench_lexful_shards.py",
    "bench_lightfield.py",
)
QUICK = (
    "bench_lexful_grid.py",
    "bench_lexful_tap.py",
    "bench_lexful_target.py",
)  # the ones with --quick


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=SCRIPTS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.only or SCRIPTS:
        header = (
            f"=== {name} === {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        )
        print(f"\n{header}", flush=True)
        command = [sys.executable, str(HERE / name)]
        if args.quick and name in QUICK:
            command.append("--quick")
        done = subprocess.run(command, check=False, stdout=subprocess.PIPE, text=True)
        print(done.stdout, flush=True)
        (OUT / f"{Path(name).stem}.txt").write_text(f"{header}\n{done.stdout}")
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
