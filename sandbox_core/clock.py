"""The sandbox's wall clock, which tests may freeze or move instead of sleeping."""

from __future__ import annotations

import time


def iso_ms(ms: int) -> str:
    """``2024-01-15T10:30:00.000Z``: milliseconds as ISO 8601 in UTC, which sorts lexically."""
    secs, rem = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{rem:03d}Z"


class Clock:
    """Seconds since the epoch; frozen at a chosen moment when a test says so.

    Everything time-dependent in a sandbox (the rate budget's windows, and in a profile the
    record timestamps or an index lag) reads this clock, so a test can put two requests in
    the same rate window, or past a lag, by setting the time rather than by waiting.
    """

    def __init__(self) -> None:
        self._frozen: float | None = None

    def now(self) -> float:
        return time.time() if self._frozen is None else self._frozen

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def freeze(self, at: float | None) -> None:
        """Stop the clock at ``at`` (seconds since the epoch); ``None`` lets it run again."""
        self._frozen = None if at is None else float(at)

    @property
    def frozen(self) -> float | None:
        return self._frozen
