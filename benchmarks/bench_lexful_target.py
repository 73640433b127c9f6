"""How fast does target-lexful write, and how much does max_concurrency buy?

One run prints records/s of target-lexful (a subprocess, fed a file of Singer lines) at
max_concurrency 1 and 8, against a sandbox answering in 0 ms and in 50 ms. Target: at 50 ms,
concurrency 8 >= 6x concurrency 1.

The sandbox runs as its own process (``running_sandbox(subprocess=True)``), so it never
shares the GIL with what is measured. records/s is counted over the target's own write time
(the "seconds" of its summary), so Python start-up does not blur the ratio; the wall time of
the whole process is printed beside it.
Usage: ``.venv/bin/python benchmarks/bench_lexful_target.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lexful_sandbox import running_sandbox

BIN = Path(sys.executable).parent
SUMMARY = re.compile(r"summary-json (\{.*\})")
ORGS = 10


def singer_input(records: int) -> str:
    """Organizations (bulk-created) and contacts pointing at them, as tap-lexful emits them."""
    orgs = [str(uuid.uuid4()) for _ in range(ORGS)]
    lines = [_schema("organizations")]
    lines += [
        _record(
            "organizations", {"id": o, "name": f"Bench {i}", "type": "client", "status": "active"}
        )
        for i, o in enumerate(orgs)
    ]
    lines.append(_schema("system_contact"))
    for i in range(records - ORGS):
        contact = {
            "id": str(uuid.uuid4()),
            "organization_id": orgs[i % ORGS],
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "title": "Engineer",
            "important": i % 2 == 0,
            "contact_methods": [{"type": "Email", "value": f"p{i}@example.com"}],
        }
        lines.append(_record("system_contact", contact))
    lines.append(json.dumps({"type": "STATE", "value": {"done": True}}))
    return "\n".join(lines) + "\n"


def _schema(stream: str) -> str:
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}
    return json.dumps(
        {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": ["id"]}
    )


def _record(stream: str, record: dict) -> str:
    return json.dumps({"type": "RECORD", "stream": stream, "record": record})


def bare_loop(config: dict, input_file: Path) -> int:
    """The practical limit: read the same Singer lines, send the same creates one by one
    (organizations in one bulk call, then a POST per contact), nothing else."""
    import requests  # noqa: PLC0415

    session = requests.Session()
    account = {"X-Account-ID": config["account_id"]}
    api = config["api_url"]
    token = session.post(
        api + "/v1/auth/token",
        json={"id": config["api_key_id"], "secret": config["api_key_secret"]},
        headers=account,
        timeout=30,
    ).json()["token"]
    session.headers.update({"Authorization": f"Bearer {token}", **account})
    orgs: list[dict] = []
    ids: dict[str, str] = {}
    written = 0
    with input_file.open() as lines:
        for line in lines:
            message = json.loads(line)
            if message["type"] != "RECORD":
                continue
            record = dict(message["record"])
            source_id = record.pop("id")
            if message["stream"] == "organizations":
                orgs.append((source_id, record))  # type: ignore[arg-type]
                continue
            if orgs:  # the first contact: the organizations go first, in one call
                made = session.post(api + "/v1/organizations", json=[o for _, o in orgs])
                for (old, _), new in zip(orgs, made.json()["items"], strict=True):
                    ids[old] = new["id"]
                written += len(orgs)
                orgs = []
            record["organization_id"] = ids[record["organization_id"]]
            answer = session.post(api + "/v1/assets/system.contact", json=record, timeout=60)
            answer.raise_for_status()
            written += 1
    return written


def run_bare_loop(creds: dict, work: Path, input_file: Path) -> tuple[float, int]:
    """(wall seconds, records) of the bare loop, a process of its own like the target."""
    config_file = work / "loop.json"
    config_file.write_text(json.dumps(creds))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--bare-loop", str(config_file), str(input_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(done.stdout)


def run_target(
    creds: dict, work: Path, concurrency: int | str, input_file: Path
) -> tuple[float, float, int]:
    """(write seconds from the target's summary, wall seconds of the process)."""
    config = {
        **creds,
        **({} if concurrency == "auto" else {"max_concurrency": concurrency}),
        "id_map_path": str(work / f"id-map-{uuid.uuid4()}.sqlite"),
        "rejects_path": str(work / "rejects.jsonl"),
    }
    config_file = work / "config.json"
    config_file.write_text(json.dumps(config))
    started = time.perf_counter()
    with input_file.open() as stdin:
        done = subprocess.run(
            [str(BIN / "target-lexful"), "--config", str(config_file)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"target-lexful failed:\n{done.stderr[-3000:]}")
    match = SUMMARY.search(done.stderr)
    assert match, "no summary in the target's log"
    stats = json.loads(match.group(1))
    written = sum(row["created"] + row["updated"] for row in stats.values())
    rejected = sum(row["rejected"] for row in stats.values())
    assert rejected == 0, f"{rejected} records rejected: see {work / 'rejects.jsonl'}"
    return sum(row["seconds"] for row in stats.values()), wall, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records-0ms", type=int, default=2000)
    parser.add_argument("--records-50ms", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="fewer records")
    parser.add_argument("--bare-loop", nargs=2, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.bare_loop:
        print(bare_loop(json.loads(Path(args.bare_loop[0]).read_text()), Path(args.bare_loop[1])))
        return 0
    if args.quick:
        args.records_0ms, args.records_50ms = 500, 100
    print(
        f"{'latency':>8} {'concurrency':>12} {'records':>8} {'rec/s':>9}"
        f" {'write s':>8} {'wall s':>7}"
    )
    ratios = {}
    with running_sandbox(subprocess=True, latency_ms=0) as sb, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for latency, records in ((0, args.records_0ms), (50, args.records_50ms)):
            sb.set_faults(latency_ms=latency)
            input_file = work / f"input-{latency}.singer"
            input_file.write_text(singer_input(records))
            rates, walls = {}, {}
            for concurrency in (1, 8):
                seconds, wall, written = run_target(sb.new_account(), work, concurrency, input_file)
                assert written == records, f"wrote {written} of {records}"
                rates[concurrency] = records / seconds
                walls[concurrency] = wall
                print(
                    f"{latency:>6}ms {concurrency:>12} {records:>8} {rates[concurrency]:>9.1f}"
                    f" {seconds:>8.2f} {wall:>7.2f}",
                    flush=True,
                )
            ratios[latency] = (rates[8] / rates[1], walls[1] / walls[8])
            if latency == 0:  # whole processes, best of two each: the bare loop, auto
                loop = min(run_bare_loop(sb.new_account(), work, input_file) for _ in range(2))
                auto = min(
                    run_target(sb.new_account(), work, "auto", input_file)[1] for _ in range(2)
                )
                assert loop[1] == records, f"the loop wrote {loop[1]} of {records}"
                print(
                    f"0 ms, whole processes: bare loop {records / loop[0]:.0f} records/s, "
                    f"target auto {records / auto:.0f} records/s: "
                    f"{loop[0] / auto:.2f}x the loop (target >= 0.7x)",
                    flush=True,
                )
    for latency, (ratio, wall_ratio) in ratios.items():
        print(
            f"at {latency} ms: concurrency 8 = {ratio:.1f}x concurrency 1"
            f" ({wall_ratio:.1f}x in wall time, Python start-up included)"
        )
    ok = ratios[50][0] >= 6
    print("target (50 ms: >= 6x):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
