"""``max_concurrency: auto``: the requests in flight, and the pace, found by watching the API.

One ``AdaptiveLimit`` per client gates every try of every request (``HttpClient``). It turns
two knobs, each on its own signal:

- **Concurrency** (Vegas-style, as in Netflix's concurrency-limits): the requests a server
  answers without queueing them. Each interval (about one round trip: ``limit`` answers) it
  compares the interval's mean latency with ``min_rtt``, the latency of an unloaded server
  (the lowest interval mean, so that one small request does not set it; forgotten when even
  the lowest of the last 10 to 20 s is twice as high). ``queue = limit * (1 - min_rtt / rtt)``
  estimates the requests waiting in a queue somewhere (the server's, or our own threads' for
  the GIL). Below ``alpha`` the limit grows, if at least half of it was used (doubling until
  the first sign of congestion, so that a short sync is not spent ramping up; then by one);
  above ``beta`` it shrinks by a tenth. A 503, or a try with no answer, halves it.
- **Pace** (requests per second), learned from a 429: concurrency cannot keep a fast API
  under a rate limit (one request in flight at 20 ms is 50 a second). On a 429 the pace
  becomes what the server did accept over the last seconds (its rate, however it counts it:
  a fixed window, a bucket) times ``headroom``; ``X-RateLimit-Remaining: 0`` is read the same
  way, a 429 that has not happened yet. The pace probes upwards (``probe_step``) only after
  ``probe_after_s`` without a 429, so that refusals stay rare (one per probe at most); a
  first pace, which a sync's start may have made low, grows faster until a 429 confirms it.

Every change is logged at DEBUG; ``describe()`` is the line a summary reports. Nothing here
sends a request or sleeps on its own clock: tests drive it with synthetic latencies and
statuses (``tests/core/test_adaptive.py``).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

LOGGER = logging.getLogger("connector_core.adaptive")
MIN_RTT_WINDOW_S = 10.0  # min_rtt is the lowest of the last 10 to 20 s: a server can slow down
FAST_PROBE = (2.0, 0.1)  # a first pace grows by a tenth every 2 s until a 429 confirms it
RATE_SPAN_S = 2.0  # a 429's rate is what was accepted over the last 2 s (1 s at the start)


class AdaptiveLimit:
    """Requests in flight and the pace, adapted to what the API's answers say."""

    def __init__(
        self,
        *,
        initial: int = 16,
        minimum: int = 1,
        maximum: int = 64,
        alpha: float = 3.0,
        beta: float = 6.0,
        headroom: float = 0.95,
        probe_after_s: float = 30.0,
        probe_step: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger = LOGGER,
    ) -> None:
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        self.limit = min(self.maximum, max(self.minimum, initial))
        self.alpha, self.beta = alpha, beta
        self.headroom = headroom
        self.probe_after_s, self.probe_step = probe_after_s, probe_step
        self.pace: float | None = None  # requests/s, once a 429 taught one
        self.slow_start = True
        self.in_flight = 0
        self.refusals = 0  # 429s seen
        self._clock, self._sleep, self._logger = clock, sleep, logger
        self._cond = threading.Condition()
        self._local = threading.local()  # does this thread hold a place?
        self._started = clock()
        # the interval: answers, their summed latency
        self._count, self._sum = 0, 0.0
        self._busiest = 0  # the most in flight during the interval
        # min_rtt over two buckets of MIN_RTT_WINDOW_S: (bucket start, its lowest)
        self._min_now: tuple[float, float] = (self._started, math.inf)
        self._min_before = math.inf
        self._base = math.inf  # min_rtt: the lowest, until the recent lowest is twice as high
        self._accepted: deque[float] = deque()  # when recent answers (not 429) came
        self._last_refusal = -math.inf
        self._last_probe = -math.inf
        self._fast = False  # probing fast: the pace is a first estimate, not confirmed
        self._next_send = -math.inf  # the pace's slot: when the next request may go
        self._held_until = -math.inf  # the last Retry-After's end
        self._pace_bound = False  # has a request waited for the pace since the last probe?

    # -- the gate ------------------------------------------------------------------------

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of ``limit`` places (waiting for the pace first) while a request is sent.

        Re-entrant: a request sent while this thread holds a place (a token fetched by the auth
        of the request that holds it) goes within that place, else one place would wait for
        itself."""
        if getattr(self._local, "held", False):
            yield
            return
        while True:
            paced = self.wait_for_pace()
            with self._cond:
                while self.in_flight >= self.limit:
                    self._cond.wait()
                if paced is not None and self._held_until > paced:
                    continue  # a Retry-After came while it waited: after it, at the pace
                if paced is not None or self.pace is None:
                    self.in_flight += 1
                    self._busiest = max(self._busiest, self.in_flight)
                    break
            # A pace was learned while this one waited for a place: its turn of the pace
            # first, or every thread waiting would go at once.
        self._local.held = True
        try:
            yield
        finally:
            self._local.held = False
            with self._cond:
                self.in_flight -= 1
                self._cond.notify()

    def wait_for_pace(self) -> float | None:
        """Spaces the requests ``1 / pace`` apart (strictly: a server may count per second),
        none before a ``Retry-After`` has passed; when it went (None: no pace yet)."""
        while True:
            with self._cond:
                if self.pace is None:
                    return None
                now = self._clock()
                at = max(self._next_send, self._held_until)
                if now >= at:  # its turn: the next one 1 / pace later (no catching up)
                    self._next_send = max(at + 1.0 / self.pace, now)
                    return now
                self._pace_bound = True  # the pace holds requests back: worth probing
            self._sleep(min(at - now, 1.0))

    # -- what the answers say ------------------------------------------------------------

    def observe(
        self, latency_s: float, status: int, headers: Mapping[str, str] | None = None
    ) -> None:
        """One answer: its latency (of the try alone), its status and headers."""
        with self._cond:
            now = self._clock()
            if status == 429:
                self._refused(now)
                wait = retry_after_seconds((headers or {}).get("Retry-After")) or 0.0
                self._held_until = max(self._held_until, now + wait)
            elif status == 503:
                self._cut(0.5, "503")
            else:
                self._accepted.append(now)
                self._trim(now)
                if headers is not None and headers.get("X-RateLimit-Remaining") == "0":
                    self._learn_pace(now, "X-RateLimit-Remaining: 0")
                self._sample(now, latency_s)
                self._probe(now)
            self._cond.notify_all()

    def failed(self) -> None:
        """A try that got no answer (a timeout, a dropped connection): the server is straining."""
        with self._cond:
            self._cut(0.5, "no answer")
            self._cond.notify_all()

    def describe(self) -> str:
        """Where it settled, for a summary line."""
        pace = f", paced at {self.pace:.1f} requests/s" if self.pace else ""
        return f"max_concurrency auto settled at {self.limit}{pace}"

    # -- the rules -----------------------------------------------------------------------

    def _sample(self, now: float, latency_s: float) -> None:
        self._count += 1
        self._sum += latency_s
        if self._count < self.limit:
            return
        rtt = self._sum / self._count
        busy = self._busiest * 2 >= self.limit
        self._count, self._sum, self._busiest = 0, 0.0, self.in_flight
        start, lowest = self._min_now
        if now - start >= MIN_RTT_WINDOW_S:
            self._min_before, self._min_now = lowest, (now, math.inf)
            start, lowest = self._min_now
        self._min_now = (start, min(lowest, rtt))
        recent = min(self._min_now[1], self._min_before)
        if recent < self._base or recent > 2 * self._base:
            self._base = recent  # lower; or the server's own latency changed for good
        min_rtt = self._base
        if rtt <= 0 or not math.isfinite(min_rtt):
            return
        queue = self.limit * (1.0 - min_rtt / rtt)
        if queue < self.alpha and busy:  # an idle limit is no proof that more would do
            grown = self.limit * 2 if self.slow_start else self.limit + 1
            self._set(grown, f"queue {queue:.1f} (rtt {rtt * 1000:.0f} ms)")
        elif queue > self.beta:
            self.slow_start = False
            self._set(math.floor(self.limit * 0.9), f"queue {queue:.1f} (rtt {rtt * 1000:.0f} ms)")

    def _refused(self, now: float) -> None:
        self.refusals += 1
        if now - self._last_refusal < 1.0:
            return  # the same burst: one cut for it
        self._last_refusal = now
        self._learn_pace(now, "429")

    def _learn_pace(self, now: float, why: str) -> None:
        if now - self._last_refusal < 1.0 and why != "429":
            return
        self._last_refusal = now
        self.slow_start = False
        # What was accepted since the last Retry-After ended (a fixed window's count: it
        # ends at a window's start), over the last seconds at most, per second at least.
        since = max(now - RATE_SPAN_S, self._started, self._held_until)
        accepted = sum(1 for at in self._accepted if at > since) / max(1.0, now - since)
        ceiling = accepted if self.pace is None else min(self.pace, accepted)
        pace = max(0.5, ceiling * self.headroom)
        self._logger.debug(
            "adaptive: %s; %.1f requests/s were accepted: paced at %.1f", why, accepted, pace
        )
        # The first estimate may be low (the sync was starting, not sending all that second):
        # probed fast (FAST_PROBE) until the next 429 confirms it.
        self._fast = self.pace is None
        self.pace = pace
        self._last_probe = now

    def _probe(self, now: float) -> None:
        """After ``probe_after_s`` without a refusal, try a little faster."""
        after, step = FAST_PROBE if self._fast else (self.probe_after_s, self.probe_step)
        if self.pace is None or now - self._last_probe < after:
            return
        self._last_probe = now
        if not self._pace_bound:
            return  # the pace held nothing back: faster would prove nothing
        self._pace_bound = False
        self.pace *= 1.0 + step
        self._logger.debug("adaptive: no 429 for %.0f s: paced at %.1f", after, self.pace)

    def _cut(self, factor: float, why: str) -> None:
        self.slow_start = False
        self._count, self._sum = 0, 0.0
        self._set(math.floor(self.limit * factor), why)

    def _set(self, limit: int, why: str) -> None:
        limit = min(self.maximum, max(self.minimum, limit))
        if limit != self.limit:
            self._logger.debug("adaptive: %s: max_concurrency %d -> %d", why, self.limit, limit)
            self.limit = limit

    def _trim(self, now: float) -> None:
        while self._accepted and self._accepted[0] <= now - RATE_SPAN_S:
            self._accepted.popleft()


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds; None when absent or an HTTP date (the client's own
    backoff then)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
