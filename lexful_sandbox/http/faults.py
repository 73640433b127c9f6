"""Lexful's fault settings: ``sandbox_core``'s plus the token lifetime."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox_core.faults import Faults as CoreFaults
from sandbox_core.faults import Hook, HookAnswer

__all__ = ["Faults", "Hook", "HookAnswer"]


@dataclass
class Faults(CoreFaults):
    """What a running sandbox injects (latency, errors, drops, a rate limit); its token lifetime.

    ``token_ttl`` is not a fault, but a test sets it the same way (``set_faults(token_ttl=5)``)
    to see tokens expire.
    """

    token_ttl: float = 3600.0
