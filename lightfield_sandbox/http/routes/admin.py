"""``/_admin``: sandbox_core's controls, and new Lightfield workspaces (each with its own key)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from lightfield_sandbox.http.state import LightfieldState
from lightfield_sandbox.resources import workspaces
from sandbox_core import admin
from sandbox_core.state import ServerState


def _new_workspace(state: ServerState, api_url: str) -> dict[str, Any]:
    assert isinstance(state, LightfieldState)
    return workspaces.credentials(workspaces.create_workspace(state.store), api_url)


def routes() -> list[Route]:
    return admin.routes(_new_workspace)
