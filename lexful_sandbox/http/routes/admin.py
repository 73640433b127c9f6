"""``/_admin``: sandbox_core's controls (faults, stats, clock), and new Lexful accounts.

Only with ``--admin``; no auth, and exempt from faults and statistics
(``sandbox_core.middleware``).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.resources import accounts
from sandbox_core import admin
from sandbox_core.state import ServerState


def _new_account(state: ServerState, api_url: str) -> dict[str, Any]:
    assert isinstance(state, SandboxState)
    return accounts.credentials(accounts.create_account(state.store), api_url)


def routes() -> list[Route]:
    return admin.routes(_new_account)
