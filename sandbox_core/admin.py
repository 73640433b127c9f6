"""``/_admin``: faults, statistics, the clock and new accounts, for a sandbox in a child process.

Only with ``--admin``, and exempt from faults and statistics (``middleware``). Safe to leave
running: each call must carry the token printed at start (``X-Sandbox-Admin-Token``: a web
page cannot send that header to another origin without a preflight the sandbox never allows)
and name a loopback host or the bound address in ``Host`` (a DNS-rebound name is refused). A
profile passes how it creates an account (``NewAccount``); the rest is the core's.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox_core.app import JSON
from sandbox_core.bodies import json_body, server_state
from sandbox_core.codec import dumps
from sandbox_core.errors import ApiError
from sandbox_core.state import ADMIN_TOKEN_HEADER, ServerState

# The credentials of a new account, given the API's base URL (what ``new_account`` returns).
NewAccount = Callable[[ServerState, str], dict[str, Any]]
TOKEN_HEADER = ADMIN_TOKEN_HEADER
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?::[0-9]{1,5})?")
Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        # The whole header must be a host and a port: ``localhost:1@evil.com`` is not loopback.
        named = _HOST.fullmatch(request.headers.get("host", ""))
        host = named.group(1).lower() if named else ""
        bound = (request.scope.get("server") or ("",))[0]
        if host not in _LOOPBACK and host != str(bound).lower():
            raise ApiError(403, "admin endpoints answer only to a loopback Host")
        token = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(token.encode(), _state(request).admin_token.encode()):
            raise ApiError(403, f"admin endpoints need the {TOKEN_HEADER} printed at start")
        return await endpoint(request)

    return guarded


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
        Route("/_admin/faults", _guarded(admin_faults), methods=["POST"]),
        Route("/_admin/stats", _guarded(admin_stats), methods=["GET"]),
        Route("/_admin/clock", _guarded(admin_clock), methods=["POST"]),
        Route("/_admin/accounts", _guarded(admin_account), methods=["POST"]),
    ]
