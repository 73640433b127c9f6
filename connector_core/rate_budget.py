"""The client-side request budget every thread of a connector shares (``RateBudget``)."""

from __future__ import annotations

import threading
import time


class RateBudget:
    """A token bucket shared by all threads: at most ``rate`` requests a second on average."""

    def __init__(
        self, rate: float | None, burst: float | None = None, start: float | None = None
    ) -> None:
        """``burst``: the bucket's capacity (default a second's worth); ``start``: its tokens
        at first (default full). A small start with a larger capacity paces from the first
        request yet lets the threads catch up on what a stall (a slow answer, a busy CPU)
        left unused, instead of losing it."""
        # float(): a config file's numbers come as Decimal (the SDK reads it with parse_float)
        self._rate = float(rate) if rate else None
        self._capacity = float(burst) if burst else max(1.0, self._rate or 1.0)
        self._tokens = min(self._capacity, float(start)) if start else self._capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()
        self._held_until = 0.0

    def hold(self, seconds: float) -> None:
        """Stop every thread for ``seconds``: the server said so (a 429's ``Retry-After``).

        Without it only the refused thread waits, while the others go on taking the window's
        few slots: under a storm, one thread could be refused until its tries run out."""
        with self._lock:
            self._held_until = max(self._held_until, time.monotonic() + seconds)

    @property
    def rate(self) -> float | None:
        """Requests a second on average (None: no pacing)."""
        return self._rate

    def slow_to(self, rate: float) -> None:
        """Pace at ``rate`` from now on, if it is slower than the pace kept so far (the
        server advertised a smaller limit than the configured one)."""
        with self._lock:
            if rate > 0 and (self._rate is None or rate < self._rate):
                self._rate = float(rate)
                self._capacity = min(self._capacity, max(1.0, self._rate))
                self._tokens = min(self._tokens, self._capacity)

    def acquire(self) -> None:
        held = self._held_until - time.monotonic()
        if held > 0:
            time.sleep(held)
        if not self._rate:
            return
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait:
            time.sleep(wait)
