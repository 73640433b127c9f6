"""Organizations (one, many, bulk update) and organization types."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.common import variants
from lexful_sandbox.http.deps import Caller, authenticated, json_body, sandbox_state
from lexful_sandbox.http.responses import deleted, json_response
from lexful_sandbox.http.routes.records import BASE_COLUMNS, NAMED_COLUMNS, list_page, one_record
from lexful_sandbox.resources import organizations
from lexful_sandbox.resources.fields import ORGANIZATION_FIELDS, ORGANIZATION_TYPE_FIELDS
from lexful_sandbox.storage.query import parse_expand

ORG_COLUMNS = {**BASE_COLUMNS, "slug": "slug"}
ORG_EXPAND = frozenset({"labels"})


@authenticated
async def list_organizations(request: Request, caller: Caller) -> Response:
    return list_page(
        request, caller, "organizations", ORGANIZATION_FIELDS, ORG_COLUMNS, expand=ORG_EXPAND
    )


@authenticated
async def create_organizations(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    many = isinstance(body, list)
    docs = organizations.create(
        caller.store, caller.account_id, caller.user_id, body if many else [body]
    )
    if not many:
        return json_response(docs[0], 201)
    sb = sandbox_state(request)
    if sb.variant(variants.BULK_REORDERED):
        docs = docs[::-1]
    bare = sb.variant(variants.BULK_BARE_ARRAY)
    return json_response(docs if bare else {"items": docs, "total": len(docs)}, 201)


@authenticated
async def bulk_update_organizations(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    docs = organizations.bulk_update(caller.store, caller.account_id, caller.user_id, body)
    return json_response({"items": docs, "total": len(docs)})


@authenticated
async def get_organization(request: Request, caller: Caller) -> Response:
    parse_expand(request.query_params.get("expand"), ORG_EXPAND)
    return one_record(request, caller, "organizations", "organization")


@authenticated
async def update_organization(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    org_id = request.path_params["id"]
    doc = organizations.update(caller.store, caller.account_id, caller.user_id, org_id, body)
    return json_response(doc)


@authenticated
async def delete_organization(request: Request, caller: Caller) -> Response:
    org_id = request.path_params["id"]
    organizations.delete(caller.store, caller.account_id, caller.user_id, org_id)
    return deleted(request, caller, "organizations", org_id)


@authenticated
async def list_organization_types(request: Request, caller: Caller) -> Response:
    return list_page(request, caller, "organization_types", ORGANIZATION_TYPE_FIELDS, NAMED_COLUMNS)


@authenticated
async def create_organization_type(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    doc = organizations.create_type(caller.store, caller.account_id, caller.user_id, body)
    return json_response(doc, 201)


def routes() -> list[Route]:
    return [
        Route("/v1/organizations", list_organizations, methods=["GET"]),
        Route("/v1/organizations", create_organizations, methods=["POST"]),
        Route("/v1/organizations", bulk_update_organizations, methods=["PATCH"]),
        Route("/v1/organizations/{id}", get_organization, methods=["GET"]),
        Route("/v1/organizations/{id}", update_organization, methods=["PATCH"]),
        Route("/v1/organizations/{id}", delete_organization, methods=["DELETE"]),
        Route("/v1/organization_types", list_organization_types, methods=["GET"]),
        Route("/v1/organization_types", create_organization_type, methods=["POST"]),
    ]
