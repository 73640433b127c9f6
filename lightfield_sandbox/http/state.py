"""What one running Lightfield sandbox holds: sandbox_core's state, its store and signing key."""

from __future__ import annotations

from dataclasses import dataclass, field

from lightfield_sandbox.http.faults import LightfieldFaults
from lightfield_sandbox.storage.store import Store
from sandbox_core.ratelimit import RateBudget, TokenBucket
from sandbox_core.state import ServerState


@dataclass
class LightfieldState(ServerState):
    """The server's state; routes reach it through ``deps.state_of``."""

    faults: LightfieldFaults = field(default_factory=LightfieldFaults)
    budget: RateBudget = field(default_factory=TokenBucket)  # [D] a token bucket per category
    store: Store = field(kw_only=True)
    signing_key: bytes = field(default=b"", kw_only=True)
    # Idempotency keys whose first request is still being answered: a second one is a 409.
    in_flight: set[tuple[str, str, str]] = field(default_factory=set, kw_only=True)

    def __post_init__(self) -> None:
        self.store.clock = self.clock  # one clock for rate windows, timestamps and the lag
        if not self.signing_key:
            self.signing_key = self.store.signing_key()

    def index_cutoff(self) -> int | None:
        """The moment the list index has caught up to (None: now, no lag)."""
        lag = self.faults.index_lag_ms
        return self.clock.now_ms() - int(lag) if lag > 0 else None
