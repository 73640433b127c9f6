"""Routes: assets, related assets, files and the presigned storage they point to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox import assets, files, presign
from lexful_sandbox.asset_types import by_name
from lexful_sandbox.errors import ApiError
from lexful_sandbox.query import parse_expand, parse_flag, parse_list_query
from lexful_sandbox.schemas import FILE_FIELDS, RELATED_FIELDS, asset_field_kinds
from lexful_sandbox.web import (
    caller,
    envelope,
    json_body,
    json_response,
    no_content,
    read_body,
    state,
)

ASSET_COLUMNS = {
    **{c: c for c in ("id", "created_at", "updated_at", "deleted_at", "organization_id")},
    "asset_type": "type",
}
FILE_COLUMNS = {c: c for c in ("id", "created_at", "updated_at", "deleted_at", "asset_id")}
ASSET_EXPAND = frozenset({"labels", "references"})


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["type"], request.path_params["id"]


async def list_assets(request: Request) -> Response:
    who = caller(request)
    sb = state(request)
    type_name = request.path_params["type"]
    kinds = asset_field_kinds(by_name(sb.store, who.account_id, type_name))
    q = parse_list_query(
        request.query_params.multi_items(), kinds, ASSET_COLUMNS, expand=ASSET_EXPAND
    )
    total, docs = sb.store.list("assets", who.account_id, q, ["type = ?"], [type_name])
    return envelope(docs, total, q)


async def create_asset(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    doc = assets.create(
        state(request).store, who.account_id, who.user_id, request.path_params["type"], body
    )
    return json_response(doc, 201)


async def get_asset(request: Request) -> Response:
    who = caller(request)
    deleted = parse_flag(request.query_params.get("include_deleted"), "include_deleted")
    parse_expand(request.query_params.get("expand"), ASSET_EXPAND)
    type_name, asset_id = _ids(request)
    doc = assets.get(state(request).store, who.account_id, type_name, asset_id, deleted=deleted)
    return json_response(doc)


async def update_asset(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    type_name, asset_id = _ids(request)
    doc = assets.update(
        state(request).store, who.account_id, who.user_id, type_name, asset_id, body
    )
    return json_response(doc)


async def delete_asset(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    assets.delete(state(request).store, who.account_id, who.user_id, type_name, asset_id)
    return no_content()


def _related_page(request: Request, account_id: str, asset_id: str) -> Response:
    q = parse_list_query(
        request.query_params.multi_items(),
        {**RELATED_FIELDS, "id": "integer"},
        assets.RELATED_COLUMNS,
    )
    q.fields = [f for f in q.fields or [] if f != "id"] or None
    total, docs = state(request).store.list(
        assets.RELATED_VIEW, account_id, q, ["owner_id = ?"], [asset_id]
    )
    return envelope(docs, total, q)


async def list_related(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    assets.get(state(request).store, who.account_id, type_name, asset_id, deleted=False)
    return _related_page(request, who.account_id, asset_id)


async def put_related(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    type_name, asset_id = _ids(request)
    assets.put_related(state(request).store, who.account_id, type_name, asset_id, body)
    return _related_page(request, who.account_id, asset_id)


async def delete_related(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    related_id = request.path_params["related_id"]
    assets.delete_related(state(request).store, who.account_id, type_name, asset_id, related_id)
    return no_content()


async def list_files(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    store = state(request).store
    assets.get(store, who.account_id, type_name, asset_id, deleted=False)
    q = parse_list_query(request.query_params.multi_items(), FILE_FIELDS, FILE_COLUMNS)
    total, docs = store.list("files", who.account_id, q, ["asset_id = ?"], [asset_id])
    return envelope(docs, total, q)


def _base_url(request: Request) -> str:
    return str(request.base_url)


def _presigned(request: Request, method: str, account_id: str, doc: dict) -> tuple[str, str]:
    """A signed URL for the file's bytes, and when it expires."""
    object_key = files.object_key(account_id, doc["id"])
    return presign.presign(
        state(request).signing_key, _base_url(request), method, object_key, doc["mime_type"]
    )


async def create_file(request: Request) -> Response:
    who = caller(request)
    body = await json_body(request)
    type_name, asset_id = _ids(request)
    sb = state(request)
    doc = files.create(sb.store, who.account_id, who.user_id, type_name, asset_id, body)
    url, _ = _presigned(request, "PUT", who.account_id, doc)
    return json_response({"file": doc, "presignedUploadUrl": url}, 201)


async def complete_file(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    doc = files.complete(
        state(request).store,
        who.account_id,
        who.user_id,
        type_name,
        asset_id,
        request.path_params["file_id"],
    )
    return json_response(doc)


async def download_file(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    sb = state(request)
    doc = files.get(sb.store, who.account_id, type_name, asset_id, request.path_params["file_id"])
    files.check_downloadable(doc)
    url, expires_at = _presigned(request, "GET", who.account_id, doc)
    return json_response({"url": url, "expires_at": expires_at})


async def delete_file(request: Request) -> Response:
    who = caller(request)
    type_name, asset_id = _ids(request)
    files.delete(
        state(request).store,
        who.account_id,
        who.user_id,
        type_name,
        asset_id,
        request.path_params["file_id"],
    )
    return no_content()


def _object_key(request: Request) -> str:
    return files.object_key(request.path_params["account"], request.path_params["file"])


async def storage_put(request: Request) -> Response:
    """The presigned upload target: no auth header, the URL's signature is the permission.

    Refused once the file is completed (409) or deleted (404), before reading the body too.
    """
    sb = state(request)
    account_id, file_id = request.path_params["account"], request.path_params["file"]
    content_type = request.headers.get("content-type", "")
    presign.verify(
        sb.signing_key, "PUT", _object_key(request), dict(request.query_params), content_type
    )
    files.check_uploadable(sb.store, account_id, file_id)
    data = await read_body(request, files.MAX_FILE_SIZE)
    files.receive_upload(sb.store, account_id, file_id, data)
    return Response(status_code=200, headers={"ETag": f'"{len(data)}"'})


async def storage_get(request: Request) -> Response:
    sb = state(request)
    key = _object_key(request)
    media_type = presign.verify(sb.signing_key, "GET", key, dict(request.query_params), None)
    data = files.get_bytes(sb.store, key)
    if data is None:
        raise ApiError(404, "no such object")
    return Response(data, media_type=media_type)


def routes() -> list[Route]:
    one = "/v1/assets/{type}/{id}"
    return [
        Route("/v1/assets/{type}", list_assets, methods=["GET"]),
        Route("/v1/assets/{type}", create_asset, methods=["POST"]),
        Route(one, get_asset, methods=["GET"]),
        Route(one, update_asset, methods=["PATCH"]),
        Route(one, delete_asset, methods=["DELETE"]),
        Route(one + "/related", list_related, methods=["GET"]),
        Route(one + "/related", put_related, methods=["PUT"]),
        Route(one + "/related/{related_id}", delete_related, methods=["DELETE"]),
        Route(one + "/files", list_files, methods=["GET"]),
        Route(one + "/files", create_file, methods=["POST"]),
        Route(one + "/files/{file_id}", delete_file, methods=["DELETE"]),
        Route(one + "/files/{file_id}/complete", complete_file, methods=["POST"]),
        Route(one + "/files/{file_id}/download", download_file, methods=["GET"]),
        Route(presign.STORAGE_PREFIX + "{account}/{file}", storage_put, methods=["PUT"]),
        Route(presign.STORAGE_PREFIX + "{account}/{file}", storage_get, methods=["GET"]),
    ]
