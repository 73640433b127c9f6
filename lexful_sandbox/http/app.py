"""The Starlette application: routes, error handlers, the fault middleware around it all."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.http.faults import FaultMiddleware
from lexful_sandbox.http.responses import error_response
from lexful_sandbox.http.routes import api_routes
from lexful_sandbox.http.state import SandboxState

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def watch(message: Message) -> None:
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


def build_app(sb: SandboxState) -> Any:
    """The ASGI app to serve: the fault middleware outermost, so it sees uvicorn's own send."""
    app = Starlette(
        routes=api_routes(with_admin=sb.admin),
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _crash},
    )
    app.state.sandbox = sb
    return FaultMiddleware(CrashGuard(app), sb.faults, sb.stats, sb.hooks)
