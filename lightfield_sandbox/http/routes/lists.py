"""Lists and their members (``/v1/lists/{id}/accounts|contacts|opportunities``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.http.deps import authenticate, authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import lists, query
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN


@writer("lists:create", "lists.create")
def create(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(lists.create(actor, body), contract.CREATE_STATUS)


@writer("lists:update", "lists.update")
def update(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(lists.update(actor, request.path_params["id"], body))


@authenticated("lists:read")
async def retrieve(request: Request, actor: Actor) -> Response:
    return json_response(lists.get(actor, request.path_params["id"]))


@authenticated("lists:read")
async def list_lists(request: Request, actor: Actor) -> Response:
    docs = actor.store.index_view(actor.workspace_id, "list", state_of(request).index_cutoff())
    total, data = query.run(docs, request.query_params.multi_items(), lists.LIST_FIELDS)
    return page(data, total)


@authenticated("lists:delete")
async def delete(request: Request, actor: Actor) -> Response:
    return json_response(lists.delete(actor, request.path_params["id"]))


def members_handler(collection: str) -> Any:
    """Needs lists:read and the member type's read scope."""

    @authenticated("lists:read")
    async def list_members(request: Request, actor: Actor) -> Response:
        authenticate(request, f"{collection}:read")
        list_id = request.path_params["id"]
        object_type = lists.member_type(actor, list_id, collection)
        od = BUILT_IN[object_type]
        members = actor.store.members(actor.workspace_id, list_id)
        docs = actor.store.index_view(actor.workspace_id, od.kind, state_of(request).index_cutoff())
        total, data = query.run(
            [d for d in docs if d["id"] in members], request.query_params.multi_items(), od.fields
        )
        return page(data, total)

    return list_members


def routes() -> list[Route]:
    members = [
        Route(f"/v1/lists/{{id}}/{c}", members_handler(c), methods=["GET"])
        for c in contract.LIST_MEMBER_COLLECTIONS
    ]
    return [
        Route("/v1/lists", list_lists, methods=["GET"]),
        Route("/v1/lists", create, methods=["POST"]),
        Route("/v1/lists/{id}", retrieve, methods=["GET"]),
        Route("/v1/lists/{id}", update, methods=["POST"]),
        Route("/v1/lists/{id}", delete, methods=["DELETE"]),
        *members,
    ]
