"""What one running sandbox server holds beyond its data: faults, stats, hooks, clock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import ClassVar

from sandbox_core.clock import Clock
from sandbox_core.faults import Faults, Hook, Stats
from sandbox_core.ratelimit import RateBudget

#: The header ``/_admin`` reads its token from.
ADMIN_TOKEN_HEADER = "X-Sandbox-Admin-Token"


@dataclass
class ServerState:
    """The part of a server's state the core reads; a profile subclasses it to add its store.

    Routes reach it through ``bodies.server_state``; the fault middleware and the admin
    endpoints read it directly.
    """

    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)
    hooks: list[Hook] = field(default_factory=list)
    admin: bool = False
    #: What ``/_admin`` asks for (``X-Sandbox-Admin-Token``): random, printed at start.
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    clock: Clock = field(default_factory=Clock)
    budget: RateBudget = field(default_factory=RateBudget)
    #: The variants this server plays (``variants.VariantRegistry``), checked at start.
    variants: frozenset[str] = frozenset()
    #: Paths a non-GET request to changes nothing (a token call): not counted as writes.
    NOT_WRITES: ClassVar[frozenset[str]] = frozenset()

    def variant(self, name: str) -> bool:
        """Whether this server plays the variant ``name`` (a profile's declared constant)."""
        return name in self.variants
