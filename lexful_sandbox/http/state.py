"""What one running server holds: sandbox_core's state (faults, hooks, stats) and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from lexful_sandbox.http.faults import Faults
from lexful_sandbox.storage.store import Store
from sandbox_core.state import ServerState


@dataclass
class SandboxState(ServerState):
    """What one running server holds; routes reach it through ``deps.sandbox_state``."""

    faults: Faults = field(default_factory=Faults)  # Lexful's: with the token lifetime
    store: Store = field(kw_only=True)
    signing_key: bytes = field(default=b"", kw_only=True)
    #: The token call changes nothing: not counted in ``stats.writes``.
    NOT_WRITES: ClassVar[frozenset[str]] = frozenset({"/v1/auth/token"})

    def __post_init__(self) -> None:
        if not self.signing_key:
            self.signing_key = self.store.signing_key()
