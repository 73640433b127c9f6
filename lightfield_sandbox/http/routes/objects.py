"""Custom objects: the types (``/v1/objects``), their definitions, and their records
(listed at ``/v1/objects/{slug}``, one at ``/v1/objects/{slug}/values/{id}``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.common.errors import not_found
from lightfield_sandbox.http.deps import authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import entities, query
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import CUSTOM_TYPES, ObjectDef

READ, CREATE, UPDATE, DELETE, RESTORE = (
    f"custom_objects:{v}" for v in ("read", "create", "update", "delete", "restore")
)


def _type(request: Request, actor: Actor) -> ObjectDef:
    slug = request.path_params["slug"]
    known = dict(actor.store.object_types(actor.workspace_id))
    if slug not in known or slug not in CUSTOM_TYPES:
        raise not_found(f"custom object type {slug}")
    return CUSTOM_TYPES[slug][1]


@authenticated(READ)
async def list_types(request: Request, actor: Actor) -> Response:
    data = [
        {"label": label, "objectType": slug}
        for slug, label in actor.store.object_types(actor.workspace_id)
    ]
    return json_response({"data": data})


@authenticated(READ)
async def definitions(request: Request, actor: Actor) -> Response:
    return json_response(_type(request, actor).to_api())


@authenticated(READ)
async def list_records(request: Request, actor: Actor) -> Response:
    od = _type(request, actor)
    docs = actor.store.index_view(actor.workspace_id, od.kind, state_of(request).index_cutoff())
    total, data = query.run(docs, request.query_params.multi_items(), od.fields)
    return page(data, total)


@authenticated(READ)
async def retrieve(request: Request, actor: Actor) -> Response:
    return json_response(entities.get(actor, _type(request, actor), request.path_params["id"]))


@writer(CREATE, "objects.create")
def create(request: Request, actor: Actor, body: Any) -> Response:
    doc = entities.create(actor, _type(request, actor), entities.check_body(body))
    return json_response(doc, contract.CREATE_STATUS)


@writer(UPDATE, "objects.update")
def update(request: Request, actor: Actor, body: Any) -> Response:
    od = _type(request, actor)
    return json_response(
        entities.update(actor, od, request.path_params["id"], entities.check_body(body))
    )


@authenticated(DELETE)
async def delete(request: Request, actor: Actor) -> Response:
    return json_response(entities.delete(actor, _type(request, actor), request.path_params["id"]))


@writer(RESTORE, "objects.restore", body_required=False)
def restore(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(entities.restore(actor, _type(request, actor), request.path_params["id"]))


def routes() -> list[Route]:
    one = "/v1/objects/{slug}/values/{id}"
    return [
        Route("/v1/objects", list_types, methods=["GET"]),
        Route("/v1/objects/{slug}/definitions", definitions, methods=["GET"]),
        Route("/v1/objects/{slug}", list_records, methods=["GET"]),
        Route("/v1/objects/{slug}/values", create, methods=["POST"]),
        Route(one, retrieve, methods=["GET"]),
        Route(one, update, methods=["POST"]),
        Route(one, delete, methods=["DELETE"]),
        Route(one + "/restore", restore, methods=["POST"]),
    ]
