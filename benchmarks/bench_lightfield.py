"""How close does tap-lightfield come to Lightfield's rate budget?

One run prints requests/s of the tap against a Lightfield sandbox that answers in 50 ms and
limits lists to 25 requests/s (the documented budget), as a fraction of that budget (target:
>= 0.95), with the records/s and the 429s it met. The tap runs as its own process with its
defaults (24 requests/s, 8 in flight); the sandbox runs in a thread of this one, seeded through
its store. The rate is timed from the first request the sandbox saw to the last, so process
start-up is not counted. Usage: ``.venv/bin/python benchmarks/bench_lightfield.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from lightfield_api import contract
from lightfield_sandbox import running_sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN

BIN = Path(sys.executable).parent
LATENCY_MS = 50.0
TARGET = 0.95  # of the budget, with no 429


def seed_accounts(sandbox, count: int) -> None:
    key = sandbox.store.key(sandbox.api_key)
    actor = Actor(sandbox.store, key.workspace_id, key.member_id)
    for i in range(count):
        entities.create(actor, BUILT_IN["account"], {"fields": {"$name": f"Bench {i}"}})


def run(accounts: int) -> dict[str, float]:
    with running_sandbox(seed="demo") as sandbox:
        seed_accounts(sandbox, accounts)
        stamps: list[float] = []
        lock = threading.Lock()

        def record(method: str, path: str, query: dict[str, str]) -> None:
            with lock:
                stamps.append(time.monotonic())

        sandbox.add_hook(record)
        sandbox.set_faults(latency_ms=LATENCY_MS, rate_limit=contract.RATE_LIMIT_PER_S)
        config = {"api_url": sandbox.api_url, "api_key": sandbox.api_key}
        with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
            json.dump(config, handle)
            handle.flush()
            tap = subprocess.run(
                [str(BIN / "tap-lightfield"), "--config", handle.name],
                capture_output=True,
                text=True,
                check=True,
            )
        records = sum(1 for line in tap.stdout.splitlines() if '"type":"RECORD"' in line)
        span = stamps[-1] - stamps[0]
        rate = (len(stamps) - 1) / span
        return {
            "requests": len(stamps),
            "records": records,
            "seconds": span,
            "requests_per_s": rate,
            "budget_fraction": rate / contract.RATE_LIMIT_PER_S,
            "records_per_s": records / span,
            "429s": sandbox.stats()["by_status"].get(429, 0),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer records")
    args = parser.parse_args()
    # The sandbox reads its whole index for each page: beyond ~1,000 records a page costs it
    # more than 1/25 s, and the benchmark would measure the sandbox, not the tap.
    result = run(300 if args.quick else 1_000)
    print(f"tap-lightfield at {LATENCY_MS:.0f} ms latency, budget {contract.RATE_LIMIT_PER_S}/s")
    for key, value in result.items():
        print(f"  {key:16} {value:10.2f}")
    verdict = "ok" if result["budget_fraction"] >= TARGET and not result["429s"] else "BELOW TARGET"
    print(f"  requests/s at {result['budget_fraction']:.0%} of the budget (target 95%): {verdict}")


if __name__ == "__main__":
    main()
