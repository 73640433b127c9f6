"""How fast is tap-lexful, and what does it cost in memory?

One run prints a table with:
- records/s of the tap (a subprocess, stdout to /dev/null) at max_concurrency 1 and 8 against a
  sandbox answering in 50 ms (target: 8 >= 6x 1);
- the per-record cost: records/s of the tap (``max_concurrency: auto``, the default) and of a
  plain ``requests`` loop that pages the same list and writes Singer RECORD lines, at 0 ms,
  30,000 contacts, pages of 100 (target: tap >= 0.8x the loop) and 1000 (target >= 1.0x);
  both are processes, timed from start to exit, alternated, best of three; drawn into
  ``docs/benchmarks/per-record-tap.svg``;
- peak memory (ru_maxrss of the tap process) for 10k and 100k records (target: <= 1.3x).

The sandbox runs as its own process (``lexful-sandbox serve``), so it never shares the GIL
with what is measured. Usage: ``.venv/bin/python benchmarks/bench_lexful_tap.py [--quick]``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import requests

from lexful_api.contract import stream_name

sys.path.insert(0, str(Path(__file__).resolve().parent))
from svg_chart import bar_chart

BIN = Path(sys.executable).parent
CHILDREN = ("related_assets", "files")
ADMIN_TOKENS: dict[str, str] = {}  # each sandbox's admin token, by its URL
SUMMARY = re.compile(r"Stream '[^']+' done: (\d+) records")
PARTS = ("pipe", "per-record", "memory")


@contextmanager
def sandbox(seed_scale: int, latency_ms: float, seed: str = "none"):
    """A sandbox process (with its /_admin endpoints, for request counts); its credentials."""
    proc = subprocess.Popen(
        [
            str(BIN / "lexful-sandbox"),
            "serve",
            "--admin",
            "--seed",
            seed,
            "--seed-random",  # the same data (and key) every run: reproducible figures
            "1",
            "--seed-scale",
            str(seed_scale),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox did not start")
        creds = json.loads(line)
        # Not a setting of the tap: kept aside for /_admin/stats (requests_served).
        ADMIN_TOKENS[creds["api_url"]] = creds.pop("admin_token", "")
        yield creds
    finally:
        proc.terminate()
        proc.wait(timeout=30)


SYNC_SECONDS: list[float] = []  # of each run_tap: its streams' sync, without start-up


def run_tap(config: dict, catalog: dict | None = None) -> tuple[int, float, int]:
    """(records, seconds, peak RSS in KiB) of one tap run as a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp, "config.json")
        config_path.write_text(json.dumps(config))
        args = [str(BIN / "tap-lexful"), "--config", str(config_path)]
        if catalog is not None:
            catalog_path = Path(tmp, "catalog.json")
            catalog_path.write_text(json.dumps(catalog))
            args += ["--catalog", str(catalog_path)]
        log_path = Path(tmp, "stderr.log")
        with open(os.devnull, "wb") as out, log_path.open("wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(args, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        log = log_path.read_text()
        if status != 0:
            raise SystemExit(f"tap failed:\n{log[-3000:]}")
    SYNC_SECONDS.append(sync_seconds(log))
    return count_records(log), elapsed, usage.ru_maxrss


def sync_seconds(log: str) -> float:
    """From the first stream's start to the last stream's summary, by the log's clock."""
    stamps = [
        datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
        for line in log.splitlines()
        if "Beginning sync of" in line or "' done: " in line
    ]
    return (max(stamps) - min(stamps)).total_seconds()


def count_records(log: str) -> int:
    """The records the tap reports in its streams' summary lines."""
    return sum(int(match.group(1)) for match in SUMMARY.finditer(log))


def requests_served(creds: dict) -> int:
    """Requests the sandbox has answered so far (its /_admin/stats)."""
    token = {"X-Sandbox-Admin-Token": ADMIN_TOKENS.get(creds["api_url"], "")}
    stats = requests.get(creds["api_url"] + "/_admin/stats", headers=token, timeout=30).json()
    return int(stats["requests"])


def select_only(config: dict, names: tuple[str, ...]) -> dict:
    """Discover, then select only the streams ``names``."""
    catalog = discover(config)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] in names
    return catalog


def discover(config: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp, "config.json")
        config_path.write_text(json.dumps(config))
        done = subprocess.run(
            [str(BIN / "tap-lexful"), "--config", str(config_path), "--discover"],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout)


def pipe_fill(
    creds: dict, catalog: dict, concurrency: int, latency_s: float, page_size: int = 100
) -> tuple[int, int, float, float]:
    """(records, requests, seconds, share of C / latency) of one tap run.

    The share is of the sync itself (from the log), without the process's start-up and
    discovery: the pipe is what it measures.
    """
    before = requests_served(creds)
    config = {**creds, "max_concurrency": concurrency, "page_size": page_size}
    records, seconds, _ = run_tap(config, catalog)
    sent = requests_served(creds) - before - 1  # less the token request
    return records, sent, seconds, (sent / SYNC_SECONDS[-1]) / (concurrency / latency_s)


def catalog_without_children(config: dict) -> dict:
    """Discover, then deselect the per-asset streams (a request per asset each)."""
    catalog = discover(config)
    for entry in catalog["streams"]:
        selected = entry["tap_stream_id"] not in CHILDREN
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = selected
    return catalog


def run_plain_loop(config: dict, catalog: dict, page_size: int) -> tuple[int, float]:
    """(records, seconds) of the plain loop, also a process of its own, timed the same way."""
    with tempfile.TemporaryDirectory() as tmp:
        config_path, catalog_path = Path(tmp, "config.json"), Path(tmp, "catalog.json")
        config_path.write_text(json.dumps(config))
        catalog_path.write_text(json.dumps(catalog))
        args = [sys.executable, __file__, "--plain-loop", str(config_path), str(catalog_path)]
        start = time.perf_counter()
        done = subprocess.run([*args, str(page_size)], capture_output=True, text=True, check=True)
        return int(done.stdout), time.perf_counter() - start


def plain_loop(config: dict, catalog: dict, page_size: int) -> int:
    """The practical limit: page every selected list in turn, write RECORD lines."""
    session = requests.Session()
    account = {"X-Account-ID": config["account_id"]}
    token = session.post(
        config["api_url"] + "/v1/auth/token",
        json={"id": config["api_key_id"], "secret": config["api_key_secret"]},
        headers=account,
        timeout=30,
    ).json()["token"]
    session.headers.update({"Authorization": f"Bearer {token}", **account})
    paths = {
        "organization_types": "/v1/organization_types",
        "organizations": "/v1/organizations",
        "asset_types": "/v1/asset_types",
        "users": "/v1/users",
    }
    types = session.get(config["api_url"] + "/v1/asset_types", timeout=60).json()["items"]
    paths.update({stream_name(t["name"]): f"/v1/assets/{t['name']}" for t in types})
    count = 0
    with open(os.devnull, "w") as out:
        for entry in catalog["streams"]:
            name = entry["tap_stream_id"]
            if name in CHILDREN or not _selected(entry) or name not in paths:
                continue
            offset = 0
            while True:
                params = {"limit": page_size, "offset": offset, "sort": "created_at,id"}
                url = config["api_url"] + paths[name]
                body = session.get(url, params=params, timeout=60).json()
                for record in body["items"]:
                    out.write(json.dumps({"type": "RECORD", "stream": name, "record": record}))
                    out.write("\n")
                count += len(body["items"])
                offset += page_size
                if offset >= body["total"]:
                    break
    return count


def _selected(entry: dict) -> bool:
    top = [m["metadata"] for m in entry["metadata"] if not m["breadcrumb"]]
    return bool(top and top[0].get("selected", True))


def pipe_rows(
    creds: dict, catalog: dict, label: str, *, tries: int, target: float | None = None
) -> list[str]:
    """Rows for concurrency 1 and 8 at 50 ms: the pipe's share of C / latency, and c8 / c1."""
    rows, rates = [], {}
    for concurrency in (1, 8):
        records, sent, seconds, share = min(
            (
                pipe_fill(creds, catalog, concurrency, 0.05)
                for _ in range(tries if concurrency > 1 else 1)
            ),
            key=lambda r: r[2],
        )
        rates[concurrency] = records / seconds
        note = f"{share:.0%} of C/latency (min 85%)"
        if concurrency == 8:
            note += f", {rates[8] / rates[1]:.1f}x c1" + (f" (min {target:g}x)" if target else "")
        rows.append(row(f"{label}, c{concurrency}: {sent} requests", records, seconds, note))
    return rows


def row(label: str, records: int, seconds: float, extra: str = "") -> str:
    rate = records / seconds if seconds else 0.0
    return f"| {label:<44} | {records:>8} | {seconds:>8.2f} | {rate:>10.0f} | {extra:<24} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="which tables to measure (all by default)",
    )
    parser.add_argument("--plain-loop", nargs=3, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.plain_loop:
        config_path, catalog_path, page_size = args.plain_loop
        config, catalog = (
            json.loads(Path(config_path).read_text()),
            json.loads(Path(catalog_path).read_text()),
        )
        print(plain_loop(config, catalog, int(page_size)))
        return
    compile_bytecode()
    latency_assets, small, large = (60, 2_000, 20_000) if args.quick else (800, 10_000, 100_000)
    list_assets = 8_000 if args.quick else 120_000  # a quarter are contacts
    contacts_scale = 9_000 if args.quick else 90_000  # a third: 30,000 contacts
    lines = [
        f"| {'scenario':<44} | {'records':>8} | {'seconds':>8} | {'records/s':>10} | "
        f"{'ratio / note':<24} |",
        f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 12}|{'-' * 26}|",
    ]

    # 1. The pipe against a slow API: one list of contacts, then assets with their links and
    #    files (a request per asset each); requests/s against C / latency. Pages of 100
    #    here, so that there are pages enough to fill the pipe with; then 100 against 1000.
    if "pipe" in args.parts:
        lines += pipe_part(list_assets, latency_assets)
    per_record: dict[int, tuple[float, float]] = {}
    if "per-record" in args.parts:
        lines += per_record_part(contacts_scale, per_record)
    if "memory" in args.parts:
        lines += memory_part(small, large)
    print("\n".join(lines))
    if per_record:
        draw_per_record(per_record)


def compile_bytecode() -> None:
    """Compile the project's modules first, as an install does (pip writes each module's
    bytecode): an editable install under PYTHONDONTWRITEBYTECODE=1 (this machine's
    environment) would compile every one of them again at each start of each process."""
    root = Path(__file__).resolve().parent.parent
    packages = ("connector_core", "lexful_api", "tap_lexful", "lexful_sandbox")
    for package in packages:
        compileall.compile_dir(str(root / package), quiet=1)


def pipe_part(list_assets: int, latency_assets: int) -> list[str]:
    lines: list[str] = []
    with sandbox(list_assets, 50) as creds:
        catalog = select_only(creds, ("system_contact",))
        # Best of two at c8 (a few seconds each): a neighbour's burst is not the tap.
        lines += pipe_rows(creds, catalog, "one list, 50 ms, pages of 100", tries=2, target=6)
        records, sent, seconds, _ = min(
            (pipe_fill(creds, catalog, 8, 0.05, 1000) for _ in range(2)), key=lambda r: r[2]
        )
        lines.append(row(f"one list, 50 ms, pages of 1000, c8: {sent} requests", records, seconds))
    with sandbox(latency_assets, 50) as creds:
        catalog = discover(creds)
        lines += pipe_rows(creds, catalog, "with children, 50 ms", tries=1)
    return lines


def per_record_part(contacts_scale: int, per_record: dict[int, tuple[float, float]]) -> list[str]:
    lines: list[str] = []
    # 2. No latency, the per-record cost: 30,000 contacts, pages of 100 and of 1000, the tap
    #    (auto, the default) against the plain loop, both whole processes, alternated, best
    #    of three each: the machine is shared, the slower runs measure the neighbours.
    with sandbox(contacts_scale, 0) as creds:
        catalog = select_only(creds, ("system_contact",))
        for page_size in (100, 1000):
            loops, taps = [], []
            for _ in range(3):
                loops.append(run_plain_loop(creds, catalog, page_size))
                taps.append(run_tap({**creds, "page_size": page_size}, catalog))
            loop_records, loop_seconds = min(loops, key=lambda r: r[1])
            records, seconds, _ = min(taps, key=lambda r: r[1])
            assert records == loop_records, f"the tap read {records}, the loop {loop_records}"
            per_record[page_size] = (records / loop_seconds, records / seconds)
            share = loop_seconds / seconds
            target = 0.8 if page_size == 100 else 1.0
            lines.append(row(f"plain loop, 0 ms, pages of {page_size}", records, loop_seconds))
            note = f"{share:.2f}x loop (target >= {target:g})"
            lines.append(row(f"tap (auto), 0 ms, pages of {page_size}", records, seconds, note))
    return lines


def memory_part(small: int, large: int) -> list[str]:
    lines: list[str] = []
    rss: dict[tuple[int, int], int] = {}
    with sandbox(large, 0) as creds:
        config = dict(creds)
        catalog = catalog_without_children(config)
        for page_size in (100, 1000):
            records, seconds, rss[large, page_size] = run_tap(
                {**config, "page_size": page_size}, catalog
            )
            lines.append(row(f"tap, 0 ms, all lists, page_size {page_size}", records, seconds))

    # 3. Memory: what is in flight (a window of pages), not what the account holds.
    with sandbox(small, 0) as creds:
        config = dict(creds)
        for page_size in (100, 1000):
            records, seconds, rss[small, page_size] = run_tap(
                {**config, "page_size": page_size}, catalog_without_children(config)
            )
            ratio = rss[large, page_size] / rss[small, page_size]
            note = f"RSS {large // small}x records: {ratio:.2f}x"
            lines.append(row(f"tap, 0 ms, a tenth, page_size {page_size}", records, seconds, note))
    for page_size in (100, 1000):
        lines.append(
            f"peak RSS at page_size {page_size}: {rss[small, page_size] / 1024:.0f} MiB for "
            f"{small} records, {rss[large, page_size] / 1024:.0f} MiB for {large}"
        )
    return lines


def draw_per_record(per_record: dict[int, tuple[float, float]]) -> None:
    out = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
    bar_chart(
        out / "per-record-tap.svg",
        "tap-lexful against a plain requests loop, 0 ms, 30,000 contacts",
        [f"pages of {size}" for size in per_record],
        {
            "plain loop": [loop for loop, _ in per_record.values()],
            "tap-lexful (auto)": [tap for _, tap in per_record.values()],
        },
        "records/s (whole process, best of 3)",
        f"{time.strftime('%Y-%m-%d')}, 2 cores, load {os.getloadavg()[0]:.1f} at the end",
    )


if __name__ == "__main__":
    main()
