"""What completeness costs: children (links, files) of every asset on every run.

Against a sandbox answering in 50 ms, with assets that have no links or files (the requests
are what is measured), one table:
- a full first sync (every stream, children of every asset: what any first run costs);
- an incremental run with ``children: new_parents`` and nothing new (the fast default);
- the children pass, ``children: all_parents`` selecting only related_assets and files (what
  ``tap-lexful--children`` runs), which reads every asset's children again.

Requests are counted by the sandbox. Usage: ``.venv/bin/python benchmarks/bench_lexful_children.py
[--quick]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from bench_lexful_tap import BIN, discover, requests_served, sandbox, select_only


def run_with_state(creds: dict, config: dict, catalog: dict) -> tuple[int, float, dict]:
    """(requests, seconds, final state) of one run, started from ``config["state"]``."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp, f"{name}.json") for name in ("config", "catalog", "state")}
        state = config.pop("state", None)
        paths["config"].write_text(json.dumps(config))
        paths["catalog"].write_text(json.dumps(catalog))
        args = [str(BIN / "tap-lexful"), "--config", str(paths["config"])]
        args += ["--catalog", str(paths["catalog"])]
        if state is not None:
            paths["state"].write_text(json.dumps(state))
            args += ["--state", str(paths["state"])]
        before = requests_served(creds)
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - start
    states = [json.loads(line) for line in done.stdout.splitlines() if '"STATE"' in line]
    return requests_served(creds) - before, seconds, states[-1]["value"] if states else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 assets instead of 10,000")
    args = parser.parse_args()
    assets = 1_000 if args.quick else 10_000
    with sandbox(assets, 50) as creds:
        everything = discover(creds)
        first_requests, first_seconds, state = run_with_state(creds, dict(creds), everything)
        again = {**creds, "state": state}
        fast_requests, fast_seconds, _ = run_with_state(creds, again, everything)
        children = select_only(creds, ("related_assets", "files"))
        complete = {**creds, "children": "all_parents"}
        pass_requests, pass_seconds, _ = run_with_state(creds, complete, children)
    print(f"| {assets} assets, 50 ms, max_concurrency 8 | requests | seconds |")
    print("|---|---:|---:|")
    print(f"| full first sync (children of every asset) | {first_requests} | {first_seconds:.1f} |")
    print(
        f"| next run, children: new_parents, nothing new | {fast_requests} | {fast_seconds:.1f} |"
    )
    print(
        f"| children pass, children: all_parents | {pass_requests} | {pass_seconds:.1f} "
        f"({pass_seconds / first_seconds:.2f}x the first sync) |"
    )


if __name__ == "__main__":
    main()
