"""Related assets of an asset: ``/v1/assets/{type}/{id}/related``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.http.deps import Caller, authenticated, json_body
from lexful_sandbox.http.responses import deleted, envelope
from lexful_sandbox.http.routes.assets import ONE, asset_path
from lexful_sandbox.http.variant_layer import list_query
from lexful_sandbox.resources import assets, related
from lexful_sandbox.resources.fields import RELATED_FIELDS


def _page(request: Request, caller: Caller, asset_id: str) -> Response:
    q = list_query(request, {**RELATED_FIELDS, "id": "integer"}, related.COLUMNS)
    q.fields = [f for f in q.fields or [] if f != "id"] or None
    total, docs = caller.store.list_records(
        related.VIEW, caller.account_id, q, ["owner_id = ?"], [asset_id]
    )
    return envelope(docs, total, q)


@authenticated
async def list_related(request: Request, caller: Caller) -> Response:
    type_name, asset_id = asset_path(request)
    assets.get(caller.store, caller.account_id, type_name, asset_id, deleted=False)
    return _page(request, caller, asset_id)


@authenticated
async def put_related(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    type_name, asset_id = asset_path(request)
    related.put(caller.store, caller.account_id, type_name, asset_id, body)
    return _page(request, caller, asset_id)


@authenticated
async def delete_related(request: Request, caller: Caller) -> Response:
    type_name, asset_id = asset_path(request)
    related_id = request.path_params["related_id"]
    related.delete(caller.store, caller.account_id, type_name, asset_id, related_id)
    return deleted(request, caller, None, related_id)


def routes() -> list[Route]:
    return [
        Route(ONE + "/related", list_related, methods=["GET"]),
        Route(ONE + "/related", put_related, methods=["PUT"]),
        Route(ONE + "/related/{related_id}", delete_related, methods=["DELETE"]),
    ]
