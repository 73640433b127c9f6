"""What a sandbox injects and records: the fault settings, test hooks and request statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

# A test hook: (method, path, query) before each request is handled; it may raise HookAnswer.
Hook = Callable[[str, str, dict[str, str]], Any]


class HookAnswer(Exception):
    """Raised by a test hook: the request is answered with this status, in the API's shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Faults:
    """The faults every sandbox can inject; a profile subclasses it to add its own settings.

    Every setting is a number, so ``update`` (which the admin endpoint and ``set_faults`` use)
    takes them by name from JSON and rejects a name the profile does not know.
    """

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit: float = 0.0  # requests per second and per rate key; 0 means no limit
    drop_rate: float = 0.0

    def update(self, **changes: Any) -> None:
        known = {f.name for f in fields(self)}
        for key in changes:
            if key not in known:
                msg = f"unknown fault {key!r}; known: {', '.join(sorted(known))}"
                raise TypeError(msg)
        for key, value in changes.items():
            if value is not None:
                setattr(self, key, float(value))


#: Methods that never change anything; any other request counts as a write.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Stats:
    """What the sandbox answered: requests seen, connections dropped and responses by status.

    ``writes`` counts the requests that could change data (any method but GET, HEAD and
    OPTIONS, to a path the profile does not list in ``ServerState.NOT_WRITES``), whatever
    the answer: a test proves a read-only tool sent none.
    """

    def __init__(self) -> None:
        self.requests = 0
        self.dropped = 0
        self.writes = 0
        self.by_status: dict[int, int] = {}

    def count(self, status: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "dropped": self.dropped,
            "writes": self.writes,
            "by_status": dict(self.by_status),
        }
