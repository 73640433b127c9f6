"""Assets of every type: ``/v1/assets/{type}`` and ``/v1/assets/{type}/{id}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.http.deps import Caller, authenticated, json_body
from lexful_sandbox.http.responses import deleted, envelope, json_response
from lexful_sandbox.http.variant_layer import list_query
from lexful_sandbox.resources import assets
from lexful_sandbox.resources.asset_types import by_name
from lexful_sandbox.resources.fields import asset_field_kinds
from lexful_sandbox.storage.query import parse_expand, parse_flag

ONE = "/v1/assets/{type}/{id}"  # one asset; related assets and files live below it
ASSET_COLUMNS = {
    **{c: c for c in ("id", "created_at", "updated_at", "deleted_at", "organization_id")},
    "asset_type": "type",
}
ASSET_EXPAND = frozenset({"labels", "references"})


def asset_path(request: Request) -> tuple[str, str]:
    """(type name, asset id) of a path below ``ONE``."""
    return request.path_params["type"], request.path_params["id"]


@authenticated
async def list_assets(request: Request, caller: Caller) -> Response:
    type_name = request.path_params["type"]
    kinds = asset_field_kinds(by_name(caller.store, caller.account_id, type_name))
    q = list_query(request, kinds, ASSET_COLUMNS, expand=ASSET_EXPAND)
    total, docs = caller.store.list_records(
        "assets", caller.account_id, q, ["type = ?"], [type_name]
    )
    return envelope(docs, total, q)


@authenticated
async def create_asset(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    type_name = request.path_params["type"]
    doc = assets.create(caller.store, caller.account_id, caller.user_id, type_name, body)
    return json_response(doc, 201)


@authenticated
async def get_asset(request: Request, caller: Caller) -> Response:
    deleted = parse_flag(request.query_params.get("include_deleted"), "include_deleted")
    parse_expand(request.query_params.get("expand"), ASSET_EXPAND)
    type_name, asset_id = asset_path(request)
    doc = assets.get(caller.store, caller.account_id, type_name, asset_id, deleted=deleted)
    return json_response(doc)


@authenticated
async def update_asset(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    type_name, asset_id = asset_path(request)
    doc = assets.update(caller.store, caller.account_id, caller.user_id, type_name, asset_id, body)
    return json_response(doc)


@authenticated
async def delete_asset(request: Request, caller: Caller) -> Response:
    type_name, asset_id = asset_path(request)
    assets.delete(caller.store, caller.account_id, caller.user_id, type_name, asset_id)
    return deleted(request, caller, "assets", asset_id)


def routes() -> list[Route]:
    return [
        Route("/v1/assets/{type}", list_assets, methods=["GET"]),
        Route("/v1/assets/{type}", create_asset, methods=["POST"]),
        Route(ONE, get_asset, methods=["GET"]),
        Route(ONE, update_asset, methods=["PATCH"]),
        Route(ONE, delete_asset, methods=["DELETE"]),
    ]
