"""``max_concurrency: auto`` against every fixed setting, for tap-lexful and target-lexful.

For each cell of latency (20, 50, 200 ms) x the server's rate limit (none, 10, 50 requests/s),
one run of ``auto`` and one of each fixed ``max_concurrency`` of the sweep (1, 2, 4, ... 64),
side by side in the same invocation, each a whole process timed from start to exit. Printed:
records/s of each, ``auto`` over the best fixed (target >= 90%), the share of 429s among the
requests after the first 5 s of ``auto`` (target < 1%), and at 200 ms with no limit ``auto``
over the old default 8 (target >= 3x). The 429s and requests are the sandbox's own counts
(``/_admin/stats``), read 5 s after the process started and at its end.

Writes the table and charts into ``docs/benchmarks/`` (``grid.md``, ``grid-tap.svg``,
``grid-target.svg``). Usage: ``.venv/bin/python benchmarks/bench_lexful_grid.py [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_lexful_tap import select_only
from bench_lexful_target import singer_input
from svg_chart import bar_chart

from lexful_api.contract import stream_name
from lexful_sandbox import running_sandbox

BIN = Path(sys.executable).parent
OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
TARGET_SUMMARY = re.compile(r"summary-json (\{.*\})")
FIRST_S = 5.0  # 429s are counted after the first seconds (while auto learns the rate)


@dataclass
class Run:
    records: int
    seconds: float
    requests_late: int
    refused_late: int
    requests: int
    refused: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def counts(sb: Any) -> tuple[int, int]:
    stats = sb.stats()
    return int(stats["requests"]), int(stats["by_status"].get("429", 0)) + int(
        stats["by_status"].get(429, 0)
    )


def timed(sb: Any, args: list[str], stdin_path: Path | None, records: int) -> Run:
    """One process, with the sandbox's counts at its start, 5 s in, and its end."""
    r0, q0 = counts(sb)
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=FIRST_S)
        r5, q5 = counts(sb)
        status = proc.wait()
        seconds = time.perf_counter() - start
        err.seek(0)
        log = err.read().decode(errors="replace")
        if status:  # a fixed setting may give up under 429s: told, not a stop
            print(f"{Path(args[0]).name} failed: {log.strip().splitlines()[-1][:300]}")
            records = 0
    if stdin_path:
        stdin.close()  # type: ignore[union-attr]
    r1, q1 = counts(sb)
    late_r, late_q = (r1 - r5, q1 - q5) if seconds > FIRST_S else (0, 0)
    match = TARGET_SUMMARY.search(log) if not status else None
    if match:  # a target: what it wrote (a record rejected after its last try is not)
        stats = json.loads(match.group(1)).values()
        records = sum(row["created"] + row["updated"] for row in stats)
    return Run(records, seconds, late_r, late_q, r1 - r0, q1 - q0)


def tap_run(sb: Any, creds: dict, catalog: dict, setting: str, records: int, tmp: Path) -> Run:
    config = {**creds, "page_size": 100}
    if setting != "auto":
        config["max_concurrency"] = int(setting)
    (tmp / "config.json").write_text(json.dumps(config))
    (tmp / "catalog.json").write_text(json.dumps(catalog))
    args = [str(BIN / "tap-lexful"), "--config", str(tmp / "config.json")]
    return timed(sb, [*args, "--catalog", str(tmp / "catalog.json")], None, records)


def target_run(sb: Any, setting: str, input_file: Path, records: int, tmp: Path) -> Run:
    config = {
        **sb.new_account(),
        "id_map_path": str(tmp / f"id-map-{uuid.uuid4()}.sqlite"),
        "rejects_path": str(tmp / "rejects.jsonl"),
    }
    if setting != "auto":
        config["max_concurrency"] = int(setting)
    (tmp / "target.json").write_text(json.dumps(config))
    args = [str(BIN / "target-lexful"), "--config", str(tmp / "target.json")]
    return timed(sb, args, input_file, records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer cells, less data")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    quick = args.quick
    latencies = (50, 200) if quick else (20, 50, 200)
    limits = (0, 10) if quick else (0, 10, 50)
    sweep = ("1", "4", "16", "64") if quick else ("1", "2", "4", "8", "16", "32", "64")
    if "8" not in sweep:
        sweep = (*sweep, "8")
    # Contacts (a third of the assets seeded) and target records per cell, so that a run at
    # the rate limit lasts over 5 s: a share of 429s after the first seconds means something.
    tap_scale = {0: 60_000, 10: 30_000, 50: 120_000}
    target_records = {0: 200, 10: 120, 50: 400}
    if quick:
        tap_scale, target_records = {0: 15_000, 10: 15_000}, {0: 60, 10: 60}
    results: dict[str, dict[tuple[int, int], dict[str, Run]]] = {"tap": {}, "target": {}}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for limit in limits:
            with running_sandbox(subprocess=True, seed_scale=tap_scale[limit]) as sb:
                creds = dict(sb.config)
                catalog = select_only(creds, ("system_contact",))
                total = contacts(sb, creds)
                input_file = tmp / f"input-{limit}.singer"
                input_file.write_text(singer_input(target_records[limit]))
                for latency in latencies:
                    sb.set_faults(latency_ms=latency, rate_limit=limit)
                    cell = (latency, limit)
                    tap_cell = results["tap"].setdefault(cell, {})
                    target_cell = results["target"].setdefault(cell, {})
                    for setting in ("auto", *sweep):
                        tap_cell[setting] = tap_run(sb, creds, catalog, setting, total, tmp)
                        time.sleep(1.1)  # the rate window of the last run is over
                        target_cell[setting] = target_run(
                            sb, setting, input_file, target_records[limit], tmp
                        )
                        time.sleep(1.1)
                        print(
                            f"{cell} {setting}: tap {tap_cell[setting].rate:.0f} rec/s, "
                            f"target {target_cell[setting].rate:.1f} rec/s",
                            flush=True,
                        )
    text = report(results, sweep, load)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "grid.md").write_text(text)
    charts(results, args.out, load)
    return 0


def contacts(sb: Any, creds: dict) -> int:
    """The contacts the tap reads: the list's total, asked of the sandbox."""

    session = requests.Session()
    account = {"X-Account-ID": creds["account_id"]}
    token = session.post(
        creds["api_url"] + "/v1/auth/token",
        json={"id": creds["api_key_id"], "secret": creds["api_key_secret"]},
        headers=account,
        timeout=30,
    ).json()["token"]
    session.headers.update({"Authorization": f"Bearer {token}", **account})
    types = session.get(creds["api_url"] + "/v1/asset_types", timeout=30).json()["items"]
    (name,) = (t["name"] for t in types if stream_name(t["name"]) == "system_contact")
    url = f"{creds['api_url']}/v1/assets/{name}?limit=1"
    return int(session.get(url, timeout=30).json()["total"])


def best_fixed(cell: dict[str, Run]) -> tuple[str, Run]:
    return max(((k, v) for k, v in cell.items() if k != "auto"), key=lambda kv: kv[1].rate)


def report(results: dict, sweep: tuple[str, ...], load: tuple[float, float, float]) -> str:
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"load average at the start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        "",
        "| connector | latency | rate limit | auto rec/s | best fixed (c) | auto / best | "
        "fixed 8 | auto / 8 | 429s after 5 s (auto) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("tap", "target"):
        for (latency, limit), cell in results[kind].items():
            auto = cell["auto"]
            name, best = best_fixed(cell)
            late = (
                f"{auto.refused_late / auto.requests_late:.1%} of {auto.requests_late}"
                if (auto.requests_late)
                else "(ran < 5 s)"
            )
            lines.append(
                f"| {kind}-lexful | {latency} ms | {limit or 'none'} | {auto.rate:,.1f} | "
                f"{best.rate:,.1f} ({name}) | **{auto.rate / best.rate:.0%}** | "
                f"{cell['8'].rate:,.1f} | {auto.rate / cell['8'].rate:.1f}x | {late} |"
            )
    lines += ["", "records/s of every setting:", ""]
    head = " | ".join(("auto", *sweep))
    lines += [f"| connector, cell | {head} |", "|---|" + "---:|" * (len(sweep) + 1)]
    for kind in ("tap", "target"):
        for (latency, limit), cell in results[kind].items():
            rates = " | ".join(f"{cell[s].rate:,.1f}" for s in ("auto", *sweep))
            lines.append(f"| {kind} {latency} ms, limit {limit or 'none'} | {rates} |")
    return "\n".join(lines) + "\n"


def charts(results: dict, out: Path, load: tuple[float, float, float]) -> None:
    for kind in ("tap", "target"):
        groups, auto, best, eight = [], [], [], []
        for (latency, limit), cell in results[kind].items():
            name, top = best_fixed(cell)
            groups.append(f"{latency} ms\nlimit {limit or 'none'}\nbest: c{name}")
            auto.append(cell["auto"].rate)
            best.append(top.rate)
            eight.append(cell["8"].rate)
        bar_chart(
            out / f"grid-{kind}.svg",
            f"{kind}-lexful: max_concurrency auto against the best fixed setting",
            groups,
            {"auto": auto, "best fixed (sweep 1..64)": best, "fixed 8 (old default)": eight},
            "records/s (whole process)",
            f"{time.strftime('%Y-%m-%d')}, 2 cores, load {load[0]:.1f}",
        )


if __name__ == "__main__":
    sys.exit(main())
