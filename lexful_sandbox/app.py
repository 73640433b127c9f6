"""The Starlette application: routes, error handlers, the fault middleware around it all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox import accounts, routes_assets, routes_core
from lexful_sandbox.errors import ApiError
from lexful_sandbox.faults import FaultMiddleware
from lexful_sandbox.state import SandboxState
from lexful_sandbox.web import error_response, json_body, json_response, state

log = logging.getLogger("lexful_sandbox")


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(ApiError(exc.status_code, exc.detail or "error", headers=exc.headers))


async def _crash(_request: Request, exc: Exception) -> Response:
    return error_response(ApiError(500, f"internal error: {type(exc).__name__}"))


class CrashGuard:
    """Starlette answers an unexpected error through ``_crash`` (500, the contract's body) and
    then re-raises it, so that servers can log it; uvicorn then also closes the keep-alive
    connection, and a client's next request on it fails. Once the 500 is complete, log the
    error here and let the connection live. An error before that goes on to uvicorn."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        answered = False

        async def watch(message: dict) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered = True

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not answered:
                raise
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))


async def admin_faults(request: Request) -> Response:
    body = await json_body(request)
    try:
        state(request).faults.update(**body)
    except TypeError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(vars(state(request).faults))


async def admin_stats(request: Request) -> Response:
    return json_response(state(request).stats.snapshot())


async def admin_account(request: Request) -> Response:
    account = accounts.create_account(state(request).store)
    return json_response(accounts.credentials(account, str(request.base_url).rstrip("/")), 201)


def admin_routes() -> list[Route]:
    return [
        Route("/_admin/faults", admin_faults, methods=["POST"]),
        Route("/_admin/stats", admin_stats, methods=["GET"]),
        Route("/_admin/accounts", admin_account, methods=["POST"]),
    ]


def build_app(sb: SandboxState) -> Any:
    """The ASGI app to serve: the fault middleware outermost, so it sees uvicorn's own send."""
    routes = routes_core.routes() + routes_assets.routes()
    if sb.admin:
        routes += admin_routes()
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _crash},
    )
    app.state.sandbox = sb
    return FaultMiddleware(CrashGuard(app), sb.faults, sb.stats, sb.hooks)
