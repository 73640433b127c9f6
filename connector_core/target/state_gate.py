"""STATE messages held back until every record read before them is written or rejected.

Singer's rule, and what makes a resume lose nothing: the tap is restarted from the last STATE
the target printed, so that STATE must not cover a record still waiting for a reference. Each
STATE is held with the number of RECORD lines read before it; after a drain, the newest STATE
that precedes the first record still waiting is printed (every record before it is settled:
the drain wrote or rejected it, and it waits no more).
"""

from __future__ import annotations

import json
import sys
from collections import deque
from typing import Any


class StateGate:
    """Holds STATE messages; prints the newest once every record read before it is settled."""

    def __init__(self) -> None:
        self._held: deque[tuple[int, Any]] = deque()
        self._last: str | None = None
        self.emitted = 0

    def hold(self, value: Any, records_before: int) -> None:
        self._held.append((records_before, value))

    def release(self, first_waiting: int | None) -> None:
        """Print the newest STATE before input position ``first_waiting`` (``None``: any)."""
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
