"""``max_concurrency: auto`` (``connector_core.adaptive.AdaptiveLimit``), offline: a simulated
server answers with synthetic latencies and 429s on a simulated clock; the limit must converge
and back off. No real time passes, so nothing here is timed."""

from __future__ import annotations

import math
import threading

from connector_core.adaptive import AdaptiveLimit


class Clock:
    """A clock that moves only when told (the limit's ``clock`` and ``sleep``)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def limit_of(clock: Clock, **kwargs: float) -> AdaptiveLimit:
    return AdaptiveLimit(clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


def round_trip(limit: AdaptiveLimit, clock: Clock, latency_of: float, status: int = 200) -> None:
    """``limit.limit`` requests sent at once (each on its own thread, as the pool's workers
    send them), answered together after ``latency_of``."""
    count = limit.limit
    entered = threading.Barrier(count + 1)
    answered = threading.Event()

    def send() -> None:
        with limit.slot():
            entered.wait()
            answered.wait()

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    entered.wait()
    clock.now += latency_of
    for _ in range(count):
        limit.observe(latency_of, status)
    answered.set()
    for thread in threads:
        thread.join()


def latency_at(in_flight: int, knee: int, base_s: float) -> float:
    """The latency of a server that answers ``knee`` requests at once; the rest queue."""
    return base_s * max(1.0, in_flight / knee)


def test_an_unloaded_api_is_filled_fast_up_to_the_ceiling() -> None:
    """Flat latency (200 ms, whatever the load): doubling, 16 -> 64 in two round trips."""
    clock = Clock()
    limit = limit_of(clock)
    seen = []
    for _ in range(5):
        round_trip(limit, clock, 0.2)
        seen.append(limit.limit)
    assert seen[:2] == [32, 64]
    assert limit.limit == 64
    assert limit.describe() == "max_concurrency auto settled at 64"


def test_it_settles_where_latency_starts_to_climb() -> None:
    """A server that queues past 20 requests in flight: the limit ends near 20, not 64."""
    clock = Clock()
    limit = limit_of(clock)
    history = []
    for _ in range(200):
        round_trip(limit, clock, latency_at(limit.limit, 20, 0.05))
        history.append(limit.limit)
    tail = history[-50:]
    assert min(tail) >= 18, tail
    assert max(tail) <= 30, tail
    assert not limit.slow_start


def test_it_comes_back_down_when_the_server_slows() -> None:
    """The knee falls from 40 to 10 (a neighbour took the server): the limit follows it down."""
    clock = Clock()
    limit = limit_of(clock)
    for _ in range(100):
        round_trip(limit, clock, latency_at(limit.limit, 40, 0.05))
    before = limit.limit
    for _ in range(600):  # 30 s and more: no drift upwards
        round_trip(limit, clock, latency_at(limit.limit, 10, 0.05))
    assert before >= 35
    assert limit.limit <= 16  # the knee, and no drift above it


def test_a_503_halves_it_and_a_lost_answer_too() -> None:
    clock = Clock()
    limit = limit_of(clock, initial=32)
    limit.observe(0.05, 503)
    assert limit.limit == 16
    limit.failed()
    assert limit.limit == 8
    for _ in range(10):
        limit.failed()
    assert limit.limit == 1  # never below one


def test_an_idle_limit_does_not_grow() -> None:
    """Answers fast, but the caller never uses more than 2 of 16: no proof that more would help,
    so the limit stays (and with it the pages a tap keeps in flight)."""
    clock = Clock()
    limit = limit_of(clock)
    for _ in range(100):
        with limit.slot(), limit.slot():
            clock.now += 0.05
            limit.observe(0.05, 200)
            limit.observe(0.05, 200)
    assert limit.limit == 16


def fixed_window_run(rate: float, latency_s: float, seconds: float) -> tuple[int, int, int]:
    """A client as the HttpClient drives it (pace, then a place) against a server that allows
    ``rate`` requests per second of its clock (a fixed window), answering in ``latency_s``;
    a 429 holds every thread until the window ends (its Retry-After).

    The simulation keeps ``limit`` requests in flight, one sent each ``latency / limit``.
    Returns (accepted, refused after the first 5 s, sent after the first 5 s)."""
    clock = Clock()
    limit = limit_of(clock)
    window, used = -1, 0
    accepted = refused_late = sent_late = 0
    while clock.now < seconds:
        with limit.slot():  # the pace first, then a place
            clock.now += latency_s / limit.limit
            second = math.floor(clock.now)
            if second != window:
                window, used = second, 0
            used += 1
            ok = used <= rate
            late = clock.now >= 5.0
            sent_late += late
            if ok:
                accepted += 1
                limit.observe(latency_s, 200)
            else:
                refused_late += late
                retry_after = second + 1 - clock.now  # the rest of the window
                limit.observe(latency_s, 429, {"Retry-After": f"{retry_after:.3f}"})
                clock.now = float(second + 1)  # every thread holds (RateBudget.hold)
    return accepted, refused_late, sent_late


def test_a_rate_limit_is_learned_from_the_first_429s() -> None:
    """10 requests/s, answered in 20 ms (one in flight would send 50/s): after the first
    seconds, under 1% refused, and at least 90% of the rate used."""
    seconds = 120.0
    accepted, refused, sent = fixed_window_run(10, 0.02, seconds)
    assert refused / sent < 0.01, (refused, sent)
    assert accepted / seconds >= 0.9 * 10


def test_a_faster_limit_is_learned_as_well() -> None:
    seconds = 60.0
    accepted, refused, sent = fixed_window_run(50, 0.05, seconds)
    assert refused / sent < 0.01, (refused, sent)
    assert accepted / seconds >= 0.9 * 50


def test_remaining_zero_paces_before_any_429() -> None:
    """``X-RateLimit-Remaining: 0`` is a 429 announced: the pace is learned from it."""
    clock = Clock()
    limit = limit_of(clock)
    for _ in range(24):
        clock.now += 0.04
        limit.observe(0.01, 200, {"X-RateLimit-Remaining": "3"})
    assert limit.describe() == "max_concurrency auto settled at 16"  # no pace yet
    clock.now += 0.04
    limit.observe(0.01, 200, {"X-RateLimit-Remaining": "0"})
    assert limit.pace is not None
    assert 20 <= limit.pace <= 25  # 25 accepted in the last second, less the headroom
    assert "paced at" in limit.describe()


def test_the_pace_probes_upwards_when_no_429_comes() -> None:
    clock = Clock()
    limit = limit_of(clock)
    for _ in range(10):
        clock.now += 0.1
        limit.observe(0.01, 200)
    limit.observe(0.01, 429)
    learned = limit.pace
    assert learned is not None
    for _ in range(40):  # requests held back by the pace, answered, for a while
        with limit.slot():
            limit.observe(0.01, 200)
    assert limit.pace is not None
    assert limit.pace > learned  # a first pace is probed fast: a tenth every 2 s
    before = limit.pace
    limit.observe(0.01, 429)  # a second 429 confirms a pace: probed slowly from then on
    assert limit.pace < before
    slow = limit.pace
    for _ in range(20):
        with limit.slot():
            limit.observe(0.01, 200)
    assert limit.pace == slow  # not within 30 s
    clock.now += 31
    with limit.slot():
        limit.observe(0.01, 200)
    assert limit.pace is not None
    assert limit.pace > slow


def test_an_idle_pace_is_not_probed() -> None:
    """No request waited for the pace: going faster would prove nothing."""
    clock = Clock()
    limit = limit_of(clock)
    for _ in range(10):
        clock.now += 0.1
        limit.observe(0.01, 200)
    limit.observe(0.01, 429)
    learned = limit.pace
    for _ in range(100):
        clock.now += 1.0  # far slower than the pace
        with limit.slot():
            limit.observe(0.01, 200)
    assert limit.pace == learned


def test_a_request_within_a_held_place_does_not_wait_for_itself() -> None:
    """A token fetched by the auth of a request that holds the only place goes within it."""
    clock = Clock()
    limit = limit_of(clock, initial=1)
    with limit.slot(), limit.slot():  # the old gate waited here forever
        assert limit.in_flight == 1
    assert limit.in_flight == 0
