"""The Lightfield client's pace against the API's token bucket (capacity 25 a second [D]): it
starts paced (no burst at the start) and, after a stall of its own, catches up on the budget
the stall left unused, up to ``CATCH_UP`` requests, instead of losing it. On a clock of the
test's own: what is checked is how long the budget makes each request wait, not real time."""

from __future__ import annotations

import pytest

from connector_core import rate_budget
from lightfield_api.http import CATCH_UP, DEFAULT_REQUESTS_PER_SECOND, LightfieldClient


class Clock:
    """``time`` for the budget: ``sleep`` moves the clock on and is noted."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _waits(client: LightfieldClient, clock: Clock, count: int) -> list[float]:
    """How long each of ``count`` requests in a row waited for the budget."""
    waits = []
    for _ in range(count):
        before = len(clock.slept)
        client.budget.acquire()
        waits.append(sum(clock.slept[before:]))
    return waits


def test_paced_from_the_start_then_catching_up_after_a_stall(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr(rate_budget, "time", clock)
    client = LightfieldClient(api_url="http://127.0.0.1:9", api_key="sk_lf_test")
    interval = 1 / DEFAULT_REQUESTS_PER_SECOND

    first = _waits(client, clock, 3)
    assert first[0] == 0
    assert first[1:] == pytest.approx([interval, interval])  # no burst at the start

    clock.now += 1.0  # a stall: a slow answer, a busy CPU; a second of budget unused
    after = _waits(client, clock, CATCH_UP + 1)
    assert after[:CATCH_UP] == [0] * CATCH_UP  # caught up at once, within the bucket's 25
    assert after[CATCH_UP] == pytest.approx(interval)  # then paced again
    assert CATCH_UP > 1
