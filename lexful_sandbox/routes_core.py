"""Routes: token, organizations, organization types, asset types, users."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox import asset_types, auth, organizations
from lexful_sandbox.errors import ApiError, bad_request, not_found
from lexful_sandbox.query import parse_expand, parse_flag, parse_list_query
from lexful_sandbox.schemas import (
    ASSET_TYPE_FIELDS,
    ORGANIZATION_FIELDS,
    ORGANIZATION_TYPE_FIELDS,
    USER_FIELDS,
)
from lexful_sandbox.web import caller, envelope, json_body, json_response, no_content, state

BASE_COLUMNS = {c: c for c in ("id", "created_at", "updated_at", "deleted_at")}
ORG_COLUMNS = {**BASE_COLUMNS, "slug": "slug"}
NAMED_COLUMNS = {**BASE_COLUMNS, "name": "name"}


async def token(request: Request) -> Response:
    sb = state(request)
    account_id = request.headers.get("x-account-id")
    if not account_id:
        raise ApiError(403, "missing X-Account-ID header")
    body = await json_body(request)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("id", "secret")
    ):
        raise bad_request('expected {"id": API key id, "secret": API key secret}')
    account = sb.store.account_by_key(body["id"])
    if account is None or account.key_secret != body["secret"]:
        raise auth.unauthorized("invalid API key id or secret")
    if account.id != account_id.strip():
        raise ApiError(403, "X-Account-ID does not match the API key's account")
    who = auth.Caller(account.id, account.user_id)
    return json_response(auth.issue(sb.signing_key, who, sb.faults.token_ttl))


def _list(request: Request, table: str, kinds: dict, columns: dict, **kw: object) -> Response:
    who = caller(request)
    q = parse_list_query(request.query_params.multi_items(), kinds, columns, **kw)  # type: ignore[arg-type]
    total, docs = state(request).store.list(table, who.account_id, q)
    return envelope(docs, total, q)


async def list_organizations(request: Request) -> Response:
    return _list(
        request, "organizations", ORGANIZATION_FIELDS, ORG_COLUMNS, expand=frozenset({"labels"})
    )


async def create_organizations(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    many = isinstance(body, list)
    docs = organizations.create(
        state(request).store, who.account_id, who.user_id, body if many else [body]
    )
    return json_response({"items": docs, "total": len(docs)} if many else docs[0], 201)


async def bulk_update_organizations(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    docs = organizations.bulk_update(state(request).store, who.account_id, who.user_id, body)
    return json_response({"items": docs, "total": len(docs)})


def _get_one(request: Request, table: str, label: str) -> Response:
    """GET one record by id, with ``include_deleted``; 404 naming what was not found."""
    who = caller(request)
    deleted = parse_flag(request.query_params.get("include_deleted"), "include_deleted")
    record_id = request.path_params["id"]
    doc = state(request).store.get(table, who.account_id, record_id, include_deleted=deleted)
    if doc is None:
        raise not_found(f"{label} {record_id}")
    return json_response(doc)


async def get_organization(request: Request) -> Response:
    parse_expand(request.query_params.get("expand"), frozenset({"labels"}))
    return _get_one(request, "organizations", "organization")


async def update_organization(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    doc = organizations.update(
        state(request).store, who.account_id, who.user_id, request.path_params["id"], body
    )
    return json_response(doc)


async def delete_organization(request: Request) -> Response:
    who = caller(request)
    organizations.delete(
        state(request).store, who.account_id, who.user_id, request.path_params["id"]
    )
    return no_content()


async def list_organization_types(request: Request) -> Response:
    return _list(request, "organization_types", ORGANIZATION_TYPE_FIELDS, NAMED_COLUMNS)


async def create_organization_type(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    doc = organizations.create_type(state(request).store, who.account_id, who.user_id, body)
    return json_response(doc, 201)


async def list_asset_types(request: Request) -> Response:
    return _list(request, "asset_types", ASSET_TYPE_FIELDS, NAMED_COLUMNS)


async def get_asset_type(request: Request) -> Response:
    return _get_one(request, "asset_types", "asset type")


async def create_asset_type(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    doc = asset_types.create(state(request).store, who.account_id, who.user_id, body)
    return json_response(doc, 201)


async def update_asset_type(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    doc = asset_types.update(
        state(request).store, who.account_id, who.user_id, request.path_params["id"], body
    )
    return json_response(doc)


async def list_users(request: Request) -> Response:
    partial = frozenset({"email", "first_name", "last_name"})
    return _list(request, "users", USER_FIELDS, BASE_COLUMNS, partial=partial)


def routes() -> list[Route]:
    type_routes = []
    for base in ("/v1/asset_types", "/v1/entity_types"):  # older pages use entity_types
        type_routes += [
            Route(base, list_asset_types, methods=["GET"]),
            Route(base, create_asset_type, methods=["POST"]),
            Route(base + "/{id}", get_asset_type, methods=["GET"]),
            Route(base + "/{id}", update_asset_type, methods=["PATCH"]),
        ]
    return [
        Route("/v1/auth/token", token, methods=["POST"]),
        Route("/v1/organizations", list_organizations, methods=["GET"]),
        Route("/v1/organizations", create_organizations, methods=["POST"]),
        Route("/v1/organizations", bulk_update_organizations, methods=["PATCH"]),
        Route("/v1/organizations/{id}", get_organization, methods=["GET"]),
        Route("/v1/organizations/{id}", update_organization, methods=["PATCH"]),
        Route("/v1/organizations/{id}", delete_organization, methods=["DELETE"]),
        Route("/v1/organization_types", list_organization_types, methods=["GET"]),
        Route("/v1/organization_types", create_organization_type, methods=["POST"]),
        *type_routes,
        Route("/v1/users", list_users, methods=["GET"]),
    ]
