"""What does the Airbyte face cost? `source-lexful read` against `tap-lexful`, on the same list.

The list is the 30,000 contacts of a sandbox seeded with 90,000 assets, read with the default
settings (pages of 1000, max_concurrency 8) by each command as a process, stdout to a file,
timed from start to exit; the runs alternate, and each side keeps its best of N (the machine
is shared: the slower runs measure the neighbours). Target: the adapter costs at most 20%.

It is measured with the sandbox answering at once (0 ms: the tap is CPU-bound, the worst case
for an adapter that shares the CPU with it) and in 50 ms (a remote API). The last line is the
adapter's floor: `source-lexful spec`, which only starts (Python, then airbyte-cdk's import,
about a second of CPU). The tap starts before that import and syncs meanwhile, but on a 2-core
machine the sandbox, the tap and the adapter share two cores.
Usage: ``.venv/bin/python benchmarks/bench_lexful_airbyte.py [--quick] [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench_lexful_tap import BIN, sandbox, select_only

TARGET = 1.2


def timed(args: list[str], out: Path) -> tuple[int, float]:
    """(RECORD lines printed, seconds) of one command, stdout to ``out``."""
    with out.open("wb") as stdout:
        start = time.perf_counter()
        subprocess.run(args, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        seconds = time.perf_counter() - start
    with out.open("rb") as printed:
        records = sum(
            1 for line in printed if line.startswith((b'{"type":"RECORD"', b'{"type": "RECORD"'))
        )
    return records, seconds


def airbyte_catalog(config_path: str, stream: str) -> dict:
    """`source-lexful discover`, then the one stream, read in full."""
    done = subprocess.run(
        [str(BIN / "source-lexful"), "discover", "--config", config_path],
        capture_output=True,
        check=True,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    (catalog,) = [m["catalog"] for m in lines if m["type"] == "CATALOG"]
    streams = [s for s in catalog["streams"] if s["name"] == stream]
    mode = {"sync_mode": "full_refresh", "destination_sync_mode": "append"}
    return {"streams": [{"stream": s, **mode} for s in streams]}


def compare(seed_scale: int, latency_ms: float, runs: int) -> str:
    with sandbox(seed_scale, latency_ms) as creds, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp, "config.json")
        config.write_text(json.dumps(creds))
        singer = Path(tmp, "singer.json")
        singer.write_text(json.dumps(select_only(creds, ("system_contact",))))
        airbyte = Path(tmp, "airbyte.json")
        airbyte.write_text(json.dumps(airbyte_catalog(str(config), "system_contact")))
        tap = [str(BIN / "tap-lexful"), "--config", str(config), "--catalog", str(singer)]
        adapter = [str(BIN / "source-lexful"), "read", "--config", str(config)]
        adapter += ["--catalog", str(airbyte)]
        taps, adapters = [], []
        for _ in range(runs):
            taps.append(timed(tap, Path(tmp, "tap.out")))
            adapters.append(timed(adapter, Path(tmp, "adapter.out")))
    tap_records, tap_s = min(taps, key=lambda r: r[1])
    ab_records, ab_s = min(adapters, key=lambda r: r[1])
    assert tap_records == ab_records, (
        f"tap-lexful {tap_records} records, source-lexful {ab_records}"
    )
    ratio = ab_s / tap_s
    verdict = "within" if ratio <= TARGET else "OVER"
    return (
        f"| {latency_ms:.0f} ms | {tap_records} | {tap_s:.2f} s ({tap_records / tap_s:,.0f}/s) "
        f"| {ab_s:.2f} s ({ab_records / ab_s:,.0f}/s) | {ratio:.2f}x ({verdict} {TARGET}x) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller list, for a smoke run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (best kept)")
    args = parser.parse_args()
    seed_scale = 9_000 if args.quick else 90_000  # a third of the assets are contacts
    lines = [
        "| latency | records | tap-lexful (best) | source-lexful read (best) | adapter / tap |",
        "|---:|---:|---:|---:|---|",
    ]
    for latency_ms in (0, 50):
        lines.append(compare(seed_scale, latency_ms, args.runs))
        print(lines[-1], flush=True)
    lines.append(startup(args.runs))
    print("\n".join(lines))


def startup(runs: int) -> str:
    """The floor: `source-lexful spec` does nothing but start (Python, airbyte-cdk's import)."""
    best = min(
        timed([str(BIN / "source-lexful"), "spec"], Path(os.devnull))[1] for _ in range(runs)
    )
    return f"start-up alone (`source-lexful spec`, best of {runs}): {best:.2f} s"


if __name__ == "__main__":
    main()
