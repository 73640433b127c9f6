"""Where the sandbox's variants (``common.variants``) change what it answers.

- list queries (``list_query``): ``single-sort``, ``page-cap-400``, ``page-cap-silent``,
  ``fields-ignored``;
- error bodies (``renderer``): ``fastify-errors``;
- paths (``EntitiesPaths``): ``entities-paths``;
- the token call, a DELETE, a bulk create and an expired token: in their routes
  (``routes/auth.py``, ``responses.deleted``, ``routes/organizations.py``, ``deps``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from lexful_sandbox.common import variants
from lexful_sandbox.common.errors import bad_request, render
from lexful_sandbox.http.deps import sandbox_state
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.storage.query import ListQuery, parse_list_query
from sandbox_core.errors import ApiError as CoreError
from sandbox_core.middleware import respond

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

#: The page cap of the ``page-cap-*`` variants: the users list's documented default [D].
PAGE_CAP = 100


def list_query(
    request: Request,
    kinds: dict[str, str],
    columns: dict[str, str],
    **options: Any,
) -> ListQuery:
    """``parse_list_query`` of the request's query string, as the server's variants read it."""
    sb = sandbox_state(request)
    params = request.query_params
    if sb.variant(variants.SINGLE_SORT):
        sort = [s for s in (params.get("sort") or "").split(",") if s.strip()]
        if len(sort) > 1:
            raise bad_request("sort takes a single field", "sort")
    if sb.variant(variants.PAGE_CAP_400) and _limit(params.get("limit")) > PAGE_CAP:
        raise bad_request(f"limit must be at most {PAGE_CAP}", "limit")
    q = parse_list_query(params.multi_items(), kinds, columns, **options)
    if sb.variant(variants.PAGE_CAP_SILENT):
        q.limit = min(q.limit, PAGE_CAP)
    if sb.variant(variants.FIELDS_IGNORED):
        q.fields = None
    return q


def _limit(raw: str | None) -> int:
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0  # parse_list_query refuses it with its own message


def fastify_body(error: CoreError) -> dict[str, Any]:
    """Fastify's default error shape: ``{statusCode, error, message}``."""
    try:
        phrase = HTTPStatus(error.status).phrase
    except ValueError:
        phrase = "Error"
    return {"statusCode": error.status, "error": phrase, "message": error.message}


def renderer(sb: SandboxState) -> Callable[[CoreError], dict[str, Any]]:
    """The error body of this server: the documented one, or Fastify's."""
    return fastify_body if sb.variant(variants.FASTIFY_ERRORS) else render


# The older paths (``entities-paths``): /v1/entities/{type}[/...] and /v1/entity_types[/...].
_OLD_ASSETS = re.compile(r"^/v1/entities/(?!counts$)([^/]+)(/.*)?$")
_UPLOADS = re.compile(r"^/v1/entities/[^/]+/[^/]+/uploads/[^/]+$")  # [D] on every version
_NEW = re.compile(r"^/v1/(assets|asset_types)(/.*)?$")


class EntitiesPaths:
    """``entities-paths``: only ``/v1/entities/{type}...`` and ``/v1/entity_types...``
    answer (as the newer paths would); the newer ones are 404."""

    def __init__(self, app: ASGIApp, sb: SandboxState) -> None:
        self.app = app
        self.sb = sb
        self.render = renderer(sb)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if _NEW.match(path):
            self.sb.stats.requests += 1  # answered here, before the fault layer: count it
            self.sb.stats.count(404)
            body = self.render(CoreError(404, f"route {scope['method']}:{path} not found"))
            await respond(send, 404, body, {})
            return
        if not _UPLOADS.match(path):
            moved = _old_to_new(path)
            if moved != path:
                scope = {**scope, "path": moved, "raw_path": moved.encode()}
        await self.app(scope, receive, send)


def _old_to_new(path: str) -> str:
    if path == "/v1/entity_types" or path.startswith("/v1/entity_types/"):
        return "/v1/asset_types" + path[len("/v1/entity_types") :]
    match = _OLD_ASSETS.match(path)
    if match:
        return f"/v1/assets/{match.group(1)}{match.group(2) or ''}"
    return path
