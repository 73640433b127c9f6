"""STATE messages held back until every record read before them is written or rejected.

Singer's rule, and what makes a resume lose nothing: the tap is restarted from the last STATE
the target printed, so that STATE must not cover a record still waiting for a reference. The
gate owns the whole rule of when a STATE leaves:

- each STATE is held with the number of RECORD lines read before it (``hold``); a dry run
  holds none (a plan must not advance the pipeline's state);
- a drain is due every ``batch_size_rows`` records read, or once ``DRAIN_EVERY_SECONDS`` have
  passed since the last (``drain_due``): the target then drains its sinks;
- after a drain, the newest STATE that precedes the first record still waiting is printed
  (``release_settled``: every record before it is settled: the drain wrote or rejected it,
  and it waits no more);
- at the end of input, once everything is drained and what still waited is rejected, the
  newest STATE is printed (``release_last``).

A STATE equal to the last one printed is not printed again.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

DRAIN_EVERY_SECONDS = 30.0  # a crash loses at most this much work (the SDK's own is 5 minutes)
DEFAULT_BATCH_ROWS = 500  # enough to keep max_concurrency busy, small enough to drain often


class StateGate:
    """Holds STATE messages; prints the newest once every record read before it is settled."""

    def __init__(
        self,
        *,
        batch_rows: int | None = None,
        every_s: float = DRAIN_EVERY_SECONDS,
        dry_run: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``batch_rows``: records between drains (None: ``DEFAULT_BATCH_ROWS``);
        ``every_s``: the longest time between drains while records come; ``dry_run``: hold
        (and so print) no STATE."""
        self._held: deque[tuple[int, Any]] = deque()
        self._last: str | None = None
        self.emitted = 0
        self.batch_rows = batch_rows or DEFAULT_BATCH_ROWS
        self.every_s = every_s
        self.dry_run = dry_run
        self._clock = clock
        self._since_drain = 0
        self._drained_at = clock()

    def hold(self, value: Any, records_before: int) -> None:
        """A STATE read after ``records_before`` RECORD lines: held until they are settled."""
        if not self.dry_run:
            self._held.append((records_before, value))

    def drain_due(self) -> bool:
        """A record was read: whether the target drains now (every ``batch_rows`` records or
        ``every_s`` seconds), to call ``release_settled`` after the drain."""
        self._since_drain += 1
        waited = self._clock() - self._drained_at
        return self._since_drain >= self.batch_rows or waited >= self.every_s

    def release_settled(self, first_waiting: int | None) -> None:
        """After a drain: print the newest STATE read before input position ``first_waiting``,
        the first record still waiting for a reference (``None``: none waits)."""
        self._since_drain = 0
        self._drained_at = self._clock()
        due: list[Any] = []
        while self._held and (first_waiting is None or self._held[0][0] < first_waiting):
            due = [self._held.popleft()[1]]
        if not due:
            return
        line = json.dumps(due[0])
        if line != self._last:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()  # a STATE is a promise to the orchestrator: it leaves at once
            self._last = line
            self.emitted += 1

    def release_last(self) -> None:
        """End of input, every record written or rejected: the newest STATE is due."""
        self.release_settled(None)
