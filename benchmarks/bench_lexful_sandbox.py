"""Requests per second of the sandbox serving 100-item pages of assets.

Starts ``lexful-sandbox serve --seed-scale N`` as a child process (so the server never shares
the GIL with the measuring client), then reads pages of ``system.contact`` single-threaded and
from a few concurrent threads, each for a fixed time; then from as many client processes, which
shows the server's own ceiling (client threads share one GIL and often limit first).
Run: ``python benchmarks/bench_lexful_sandbox.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import threading
import time

import requests

from lexful_sandbox import running_sandbox

PAGE = "/v1/assets/system.contact?limit=100&offset={offset}&sort=created_at,id&order=ASC"


def session(config: dict[str, str]) -> requests.Session:
    s = requests.Session()
    token = s.post(
        config["api_url"] + "/v1/auth/token",
        headers={"X-Account-ID": config["account_id"]},
        json={"id": config["api_key_id"], "secret": config["api_key_secret"]},
        timeout=30,
    ).json()["token"]
    s.headers.update({"Authorization": f"Bearer {token}", "X-Account-ID": config["account_id"]})
    return s


def hammer(config: dict[str, str], seconds: float, total: int, start: int, out: list[int]) -> None:
    """Read successive pages for ``seconds``; append the count of good answers to ``out``."""
    s = session(config)
    url = config["api_url"] + PAGE
    done, offset = 0, start
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = s.get(url.format(offset=offset), timeout=30)
        assert answer.status_code == 200, answer.text[:200]
        assert len(answer.content) > 1000
        done += 1
        offset = (offset + 100) % max(total - 100, 1)
    out.append(done)


def measure(config: dict[str, str], threads: int, seconds: float, total: int) -> float:
    counts: list[int] = []
    workers = [
        threading.Thread(target=hammer, args=(config, seconds, total, i * 997, counts))
        for i in range(threads)
    ]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.monotonic() - start)


def _process(config: dict[str, str], seconds: float, total: int, start: int, queue) -> None:
    counts: list[int] = []
    hammer(config, seconds, total, start, counts)
    queue.put(counts[0])


def measure_processes(config: dict[str, str], n: int, seconds: float, total: int) -> float:
    """Client processes: no shared GIL on the client side, so this shows the server's ceiling."""
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_process, args=(config, seconds, total, i * 997, queue))
        for i in range(n)
    ]
    start = time.monotonic()
    for p in procs:
        p.start()
    done = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return done / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    start = time.monotonic()
    with running_sandbox(seed_scale=args.assets, subprocess=True) as sb:
        ready = time.monotonic() - start
        s = session(sb.config)
        total = s.get(sb.api_url + "/v1/assets/system.contact?limit=1", timeout=30).json()["total"]
        measure(sb.config, 1, 1.0, total)  # warm up: connection, sqlite page cache
        single = measure(sb.config, 1, args.seconds, total)
        concurrent = measure(sb.config, args.threads, args.seconds, total)
        processes = measure_processes(sb.config, args.threads, args.seconds, total)
    print(f"sandbox with {args.assets} assets ready in {ready:.1f} s ({total} contacts)")
    print(f"100-item pages, 1 client thread:  {single:8.0f} requests/s")
    print(f"100-item pages, {args.threads} client threads: {concurrent:8.0f} requests/s")
    print(f"100-item pages, {args.threads} client processes: {processes:6.0f} requests/s")


if __name__ == "__main__":
    main()
