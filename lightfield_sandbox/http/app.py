"""The Starlette application: Lightfield's routes on sandbox_core's app, with its rate budget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lightfield_api import contract
from lightfield_sandbox.common import variants
from lightfield_sandbox.common.errors import render
from lightfield_sandbox.http.routes import api_routes
from lightfield_sandbox.http.state import LightfieldState
from sandbox_core.app import build_app as core_app

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send


def rate_key(state: LightfieldState) -> Any:
    """Budgets per workspace (the key's, or the raw key when unknown) and rate category."""

    def key_of(scope: Scope) -> str | None:
        path: str = scope["path"]
        if path.startswith("/_storage/"):
            return None  # the presigned URLs are storage, not the API
        headers = dict(scope.get("headers") or [])
        token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")[2].strip()
        key = state.store.key(token) if token else None
        tenant = key.workspace_id if key else token
        return f"{tenant}:{contract.rate_category(scope['method'], path)}"

    return key_of


class PlayVariants:
    """Outermost: every request (its errors, its pages, its records) is answered with the
    server's variants in ``variants.ACTIVE``."""

    def __init__(self, app: ASGIApp, state: LightfieldState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = variants.ACTIVE.set(self.state.variants)
        try:
            await self.app(scope, receive, send)
        finally:
            variants.ACTIVE.reset(token)


def build_app(state: LightfieldState) -> Any:
    """The ASGI app to serve, with ``X-RateLimit-*`` on every answer counted against a budget."""
    routes = api_routes(with_admin=state.admin)
    return PlayVariants(core_app(routes, state, render, rate_key(state), rate_headers=True), state)
