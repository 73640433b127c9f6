"""The built-in collections (accounts, contacts, opportunities, tasks, notes, meetings): list,
retrieve, create, update (POST to the record), soft delete, and field definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.http.deps import authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import entities, meetings, query
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN, ObjectDef

Shape = Callable[[Actor, dict[str, Any]], dict[str, Any]]


def _as_is(_actor: Actor, doc: dict[str, Any]) -> dict[str, Any]:
    return doc


def _rules(od: ObjectDef) -> tuple[entities.Check, Shape, frozenset[str]]:
    """A type's own rules on write, how it reads, and the extra body keys it takes."""
    if od.object_type == "meeting":
        return meetings.check, meetings.as_read_by, frozenset({"autoCreateRecords"})
    return (lambda _a, _d: None), _as_is, frozenset()


def list_handler(od: ObjectDef, scope: str, shape: Shape) -> Any:
    @authenticated(scope)
    async def list_records(request: Request, actor: Actor) -> Response:
        docs = actor.store.index_view(actor.workspace_id, od.kind, state_of(request).index_cutoff())
        total, data = query.run(docs, request.query_params.multi_items(), od.fields)
        return page([shape(actor, d) for d in data], total)

    return list_records


def collection_routes(collection: str, od: ObjectDef, scope_name: str | None = None) -> list[Route]:
    """The five methods of one collection at ``base`` (plus definitions where documented)."""
    name = scope_name or collection
    check, shape, extra = _rules(od)
    base = contract.collection_path(collection)

    @authenticated(f"{name}:read")
    async def retrieve(request: Request, actor: Actor) -> Response:
        return json_response(shape(actor, entities.get(actor, od, request.path_params["id"])))

    @writer(f"{name}:create", f"{collection}.create")
    def create(request: Request, actor: Actor, body: Any) -> Response:
        doc = entities.create(actor, od, entities.check_body(body, extra), check)
        return json_response(shape(actor, doc), contract.CREATE_STATUS)

    @writer(f"{name}:update", f"{collection}.update")
    def update(request: Request, actor: Actor, body: Any) -> Response:
        record_id = request.path_params["id"]
        doc = entities.update(actor, od, record_id, entities.check_body(body, extra), check)
        return json_response(shape(actor, doc))

    @authenticated(f"{name}:delete")
    async def delete(request: Request, actor: Actor) -> Response:
        return json_response(shape(actor, entities.delete(actor, od, request.path_params["id"])))

    @authenticated(f"{name}:read")
    async def definitions(request: Request, actor: Actor) -> Response:
        return json_response(od.to_api())

    routes = [Route(base + "/definitions", definitions, methods=["GET"])]
    if collection not in contract.WITH_DEFINITIONS:
        routes = []
    return [
        *routes,
        Route(base, list_handler(od, f"{name}:read", shape), methods=["GET"]),
        Route(base, create, methods=["POST"]),
        Route(base + "/{id}", retrieve, methods=["GET"]),
        Route(base + "/{id}", update, methods=["POST"]),
        Route(base + "/{id}", delete, methods=["DELETE"]),
    ]


def routes() -> list[Route]:
    found: list[Route] = []
    for collection, object_type in contract.COLLECTIONS.items():
        found += collection_routes(collection, BUILT_IN[object_type])
    return found
