"""The Starlette app around a profile's routes: error handlers, crash guard, fault layer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from sandbox_core.codec import dumps
from sandbox_core.errors import ApiError, Renderer
from sandbox_core.middleware import FaultMiddleware, RateKey, whole_server
from sandbox_core.state import ServerState

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sandbox_core")
JSON = "application/json"


def error_response(error: ApiError, render: Renderer) -> Response:
    body = dumps(render(error))
    return Response(body, status_code=error.status, media_type=JSON, headers=dict(error.headers))


class CrashGuard:
    """Starlette answers an unexpected error through the app's 500 handler and then re-raises
    it, so that servers can log it; uvicorn then also closes the keep-alive connection, and a
    client's next request on it fails. Once the 500 is complete, log the error here and let
    the connection live. An error before that goes on to uvicorn."""

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


def build_app(
    routes: Sequence[BaseRoute],
    state: ServerState,
    render: Renderer,
    rate_key: RateKey = whole_server,
    *,
    rate_headers: bool = False,
) -> Any:
    """The ASGI app to serve: the fault middleware outermost, so it sees uvicorn's own send.

    Every error answer (an ``ApiError``, Starlette's own 404/405, an unexpected crash) has the
    profile's error body, rendered by ``render``.
    """

    async def api_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc, render)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        error = ApiError(exc.status_code, exc.detail or "error", headers=exc.headers)
        return error_response(error, render)

    async def crash(_request: Request, exc: Exception) -> Response:
        return error_response(ApiError(500, f"internal error: {type(exc).__name__}"), render)

    app = Starlette(
        routes=list(routes),
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: crash},
    )
    app.state.sandbox = state
    guarded = CrashGuard(app)
    return FaultMiddleware(guarded, state, render, rate_key, rate_headers=rate_headers)
