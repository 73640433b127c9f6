"""Members: the workspace's users, read only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_sandbox.common.errors import not_found
from lightfield_sandbox.http.deps import authenticated, state_of
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import query
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.workspaces import MEMBER_FIELDS


@authenticated("members:read")
async def list_members(request: Request, actor: Actor) -> Response:
    docs = actor.store.index_view(actor.workspace_id, "member", state_of(request).index_cutoff())
    total, data = query.run(docs, request.query_params.multi_items(), MEMBER_FIELDS)
    return page(data, total)


@authenticated("members:read")
async def retrieve(request: Request, actor: Actor) -> Response:
    doc = actor.store.get(actor.workspace_id, "member", request.path_params["id"])
    if doc is None:
        raise not_found(f"member {request.path_params['id']}")
    return json_response(doc)


def routes() -> list[Route]:
    return [
        Route("/v1/members", list_members, methods=["GET"]),
        Route("/v1/members/{id}", retrieve, methods=["GET"]),
    ]
