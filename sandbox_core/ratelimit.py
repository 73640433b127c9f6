"""The rate budget: a fixed one-second window per rate key, with the numbers for headers."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One request against its budget: allowed or not, what is left, when the window ends."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds at which the window's budget is full again
    retry_after: int  # whole seconds to wait when not allowed (at least 1)

    def headers(self) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers a profile that documents them sends on every answer."""
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }


class RateBudget:
    """Counts requests per key in fixed windows of one second of the sandbox's clock.

    A fixed window (not a sliding one) keeps the behaviour easy to predict in tests: with the
    clock frozen, request ``limit + 1`` of a key is the first refused, whatever the timing.
    """

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window start, count)

    def take(self, key: str, limit: float, now: float) -> Verdict:
        window = math.floor(now)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            count = 0
        count += 1
        self._windows[key] = (window, count)
        whole = int(limit)
        retry = max(1, math.ceil(window + 1 - now))
        return Verdict(count <= limit, whole, max(0, whole - count), window + 1, retry)


class TokenBucket(RateBudget):
    """A token bucket per key: ``limit`` tokens at most (the capacity), refilled at ``limit``
    a second of the sandbox's clock; a request takes one. For an API that documents its limit
    as a bucket (Lightfield: ``X-RateLimit-Limit`` is "the bucket capacity").

    With the clock frozen, request ``limit + 1`` of a key is the first refused, as with the
    fixed window; a steady client under ``limit`` a second is never refused, whatever second
    boundaries its requests straddle."""

    def __init__(self) -> None:
        super().__init__()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str, limit: float, now: float) -> Verdict:
        tokens, at = self._buckets.get(key, (float(limit), now))
        tokens = min(float(limit), tokens + max(0.0, now - at) * limit)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now)
        whole = int(limit)
        reset = math.ceil(now + (limit - tokens) / limit)  # full again
        retry = max(1, math.ceil((1 - tokens) / limit)) if not allowed else 1
        return Verdict(allowed, whole, max(0, math.floor(tokens)), reset, retry)
