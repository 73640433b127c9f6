"""``/_admin``: the core's controls (faults, stats, clock), and new Lexful accounts.

Only with ``--admin``; no auth, and exempt from faults and statistics
(``connector_core.sandbox.middleware``).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from connector_core.sandbox import admin
from connector_core.sandbox.state import ServerState
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.resources import accounts


def _new_account(state: ServerState, api_url: str) -> dict[str, Any]:
    assert isinstance(state, SandboxState)
    return accounts.credentials(accounts.create_account(state.store), api_url)


def routes() -> list[Route]:
    return admin.routes(_new_account)
