"""The built-in collections (accounts, contacts, opportunities, tasks, notes, meetings): list,
retrieve, create, update (POST to the record), soft delete, and field definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.http.deps import authenticate, authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import entities, meetings, notes, query
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN, ObjectDef

Shape = Callable[[Actor, dict[str, Any]], dict[str, Any]]


def _as_is(_actor: Actor, doc: dict[str, Any]) -> dict[str, Any]:
    return doc


def _rules(od: ObjectDef) -> tuple[entities.Check, Shape]:
    """A type's own rules on write, and how it reads."""
    if od.object_type == "meeting":
        return meetings.check, meetings.as_read_by
    return (lambda _a, _d: None), _as_is


def _update_rules(od: ObjectDef, body: Any) -> Any:
    """What an update of this type may send: notes add/remove, meetings a few keys [D]."""
    if od.object_type == "note":
        notes.check_update(body)
    elif od.object_type == "meeting":
        meetings.check_update(body)
    return body


def list_handler(od: ObjectDef, name: str, shape: Shape) -> Any:
    """``status=active`` (default) reads the index; ``status=trashed`` the trash, with the
    type's restore scope [D]."""

    @authenticated(f"{name}:read")
    async def list_records(request: Request, actor: Actor) -> Response:
        status, params = query.split_status(request.query_params.multi_items())
        if status == contract.TRASHED:
            authenticate(request, f"{name}:{contract.RESTORE_SCOPE}")
            docs = actor.store.trashed(actor.workspace_id, od.kind)
        else:
            cutoff = state_of(request).index_cutoff()
            docs = actor.store.index_view(actor.workspace_id, od.kind, cutoff)
        total, data = query.run(docs, params, od.fields)
        return page([shape(actor, d) for d in data], total)

    return list_records


def collection_routes(collection: str, od: ObjectDef, scope_name: str | None = None) -> list[Route]:
    """The five methods of one collection at ``base`` (plus definitions where documented)."""
    name = scope_name or collection
    check, shape = _rules(od)
    extra = frozenset(contract.CREATE_EXTRA_KEYS.get(od.object_type, ()))
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
        body = _update_rules(od, entities.check_body(body))
        doc = entities.update(actor, od, record_id, body, check)
        return json_response(shape(actor, doc))

    @authenticated(f"{name}:delete")
    async def delete(request: Request, actor: Actor) -> Response:
        return json_response(shape(actor, entities.delete(actor, od, request.path_params["id"])))

    @writer(f"{name}:{contract.RESTORE_SCOPE}", f"{collection}.restore", body_required=False)
    def restore(request: Request, actor: Actor, body: Any) -> Response:
        return json_response(shape(actor, entities.restore(actor, od, request.path_params["id"])))

    @authenticated(f"{name}:read")
    async def definitions(request: Request, actor: Actor) -> Response:
        return json_response(od.to_api())

    routes = [Route(base + "/definitions", definitions, methods=["GET"])]
    if collection not in contract.WITH_DEFINITIONS:
        routes = []
    return [
        *routes,
        Route(base, list_handler(od, name, shape), methods=["GET"]),
        Route(base, create, methods=["POST"]),
        Route(base + "/{id}", retrieve, methods=["GET"]),
        Route(base + "/{id}", update, methods=["POST"]),
        Route(base + "/{id}", delete, methods=["DELETE"]),
        Route(base + "/{id}/restore", restore, methods=["POST"]),
    ]


def routes() -> list[Route]:
    found: list[Route] = []
    for collection, object_type in contract.COLLECTIONS.items():
        found += collection_routes(collection, BUILT_IN[object_type])
    return found
