"""Lexful's fault settings: the core's (``connector_core.sandbox``) plus the token lifetime."""

from __future__ import annotations

from dataclasses import dataclass

from connector_core.sandbox.faults import Faults as CoreFaults
from connector_core.sandbox.faults import Hook, HookAnswer

__all__ = ["Faults", "Hook", "HookAnswer"]


@dataclass
class Faults(CoreFaults):
    """What a running sandbox injects (latency, errors, drops, a rate limit); its token lifetime.

    ``token_ttl`` is not a fault, but a test sets it the same way (``set_faults(token_ttl=5)``)
    to see tokens expire.
    """

    token_ttl: float = 3600.0
