"""The shared request budget, offline: a token bucket every thread draws from, and a server's
``Retry-After`` that stops them all. Counts of calls, measured on a monotonic clock."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from connector_core.rate_budget import RateBudget


def acquired_within(budget: RateBudget, seconds: float, threads: int = 4) -> int:
    count, lock = [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def draw() -> None:
        while time.monotonic() < deadline:
            budget.acquire()
            if time.monotonic() <= deadline:
                with lock:
                    count[0] += 1

    workers = [threading.Thread(target=draw) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return count[0]


def test_many_threads_together_never_pass_the_rate_plus_the_burst() -> None:
    budget = RateBudget(20, burst=5)
    got = acquired_within(budget, 1.0)
    assert got <= 20 * 1.0 + 5 + 1  # rate x time + burst (+1: the deadline's edge)
    assert got >= 10  # and the budget is used, not starved


def test_a_hold_stops_every_thread() -> None:
    budget = RateBudget(None)
    budget.hold(0.5)
    started = time.monotonic()
    done = []
    threads = [
        threading.Thread(target=lambda: (budget.acquire(), done.append(1))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 3
    assert time.monotonic() - started >= 0.45  # all of them waited out the server's pause


def test_a_config_decimal_is_a_rate() -> None:
    budget = RateBudget(Decimal("50"))
    assert acquired_within(budget, 0.5, threads=2) <= 50 * 0.5 + 50 + 1
