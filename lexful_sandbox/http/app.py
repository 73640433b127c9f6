"""The Starlette application: Lexful's routes on sandbox_core's app (error handlers, faults)."""

from __future__ import annotations

from typing import Any

from lexful_sandbox.common import variants
from lexful_sandbox.http.routes import api_routes
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.http.variant_layer import EntitiesPaths, renderer
from sandbox_core.app import build_app as core_app


def build_app(sb: SandboxState) -> Any:
    """The ASGI app to serve; one rate budget for the whole server, and no rate headers (the
    contract names only ``Retry-After``)."""
    app = core_app(api_routes(with_admin=sb.admin), sb, renderer(sb))
    return EntitiesPaths(app, sb) if sb.variant(variants.ENTITIES_PATHS) else app
