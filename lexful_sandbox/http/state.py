"""Everything one running server holds: store, faults, hooks, stats."""

from __future__ import annotations

from dataclasses import dataclass, field

from lexful_sandbox.http.faults import Faults, Hook, Stats
from lexful_sandbox.storage.store import Store


@dataclass
class SandboxState:
    """What one running server holds; routes reach it through ``deps.sandbox_state``."""

    store: Store
    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)
    hooks: list[Hook] = field(default_factory=list)
    admin: bool = False
    signing_key: bytes = b""

    def __post_init__(self) -> None:
        if not self.signing_key:
            self.signing_key = self.store.signing_key()
