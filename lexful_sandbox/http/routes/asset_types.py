"""Asset types, also under their older name ``/v1/entity_types``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.http.deps import Caller, authenticated, json_body
from lexful_sandbox.http.responses import json_response
from lexful_sandbox.http.routes.records import NAMED_COLUMNS, list_page, one_record
from lexful_sandbox.resources import asset_types
from lexful_sandbox.resources.fields import ASSET_TYPE_FIELDS


@authenticated
async def list_asset_types(request: Request, caller: Caller) -> Response:
    return list_page(request, caller, "asset_types", ASSET_TYPE_FIELDS, NAMED_COLUMNS)


@authenticated
async def get_asset_type(request: Request, caller: Caller) -> Response:
    return one_record(request, caller, "asset_types", "asset type")


@authenticated
async def create_asset_type(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    doc = asset_types.create(caller.store, caller.account_id, caller.user_id, body)
    return json_response(doc, 201)


@authenticated
async def update_asset_type(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    type_id = request.path_params["id"]
    doc = asset_types.update(caller.store, caller.account_id, caller.user_id, type_id, body)
    return json_response(doc)


def routes() -> list[Route]:
    found = []
    for base in ("/v1/asset_types", "/v1/entity_types"):  # older pages use entity_types
        found += [
            Route(base, list_asset_types, methods=["GET"]),
            Route(base, create_asset_type, methods=["POST"]),
            Route(base + "/{id}", get_asset_type, methods=["GET"]),
            Route(base + "/{id}", update_asset_type, methods=["PATCH"]),
        ]
    return found
