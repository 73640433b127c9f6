"""``/_admin``: faults, statistics, the clock and new accounts, for a sandbox in a child process.

Only with ``--admin``; no auth, and exempt from faults and statistics (``middleware``). A
profile passes how it creates an account (``NewAccount``); the rest is the core's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector_core.sandbox.app import JSON
from connector_core.sandbox.bodies import json_body, server_state
from connector_core.sandbox.codec import dumps
from connector_core.sandbox.errors import ApiError
from connector_core.sandbox.state import ServerState

# The credentials of a new account, given the API's base URL (what ``new_account`` returns).
NewAccount = Callable[[ServerState, str], dict[str, Any]]


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON)


def _state(request: Request) -> ServerState:
    state = server_state(request)
    assert isinstance(state, ServerState)
    return state


async def admin_faults(request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "faults must be a JSON object")
    try:
        _state(request).faults.update(**body)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    return _json(vars(_state(request).faults))


async def admin_stats(request: Request) -> Response:
    return _json(_state(request).stats.snapshot())


async def admin_clock(request: Request) -> Response:
    """``{"frozen_at": seconds | null}``: stop the clock at a moment, or let it run again."""
    body = await json_body(request)
    at = body.get("frozen_at") if isinstance(body, dict) else None
    if at is not None and not isinstance(at, (int, float)):
        raise ApiError(400, "frozen_at must be a number of seconds or null")
    clock = _state(request).clock
    clock.freeze(at)
    return _json({"frozen_at": clock.frozen, "now": clock.now()})


def routes(new_account: NewAccount) -> list[Route]:
    async def admin_account(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return _json(new_account(_state(request), base), 201)

    return [
        Route("/_admin/faults", admin_faults, methods=["POST"]),
        Route("/_admin/stats", admin_stats, methods=["GET"]),
        Route("/_admin/clock", admin_clock, methods=["POST"]),
        Route("/_admin/accounts", admin_account, methods=["POST"]),
    ]
