"""Files of an asset, and the presigned storage URLs their bytes go to and come from."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.http import presign
from lexful_sandbox.http.deps import Caller, authenticated, json_body, read_body, sandbox_state
from lexful_sandbox.http.responses import deleted, envelope, json_response
from lexful_sandbox.http.routes.assets import ONE, asset_path
from lexful_sandbox.http.variant_layer import list_query
from lexful_sandbox.resources import assets, files
from lexful_sandbox.resources.fields import FILE_FIELDS

UPLOADS = "/v1/entities/{type}/{id}/uploads/{property}"  # [D] a file for a file property
FILE_COLUMNS = {c: c for c in ("id", "created_at", "updated_at", "deleted_at", "asset_id")}


def _file_path(request: Request) -> tuple[str, str, str]:
    """(type name, asset id, file id) of a path below ``ONE/files/{file_id}``."""
    return *asset_path(request), request.path_params["file_id"]


def _presigned(
    request: Request, method: str, account_id: str, doc: dict[str, Any]
) -> tuple[str, str]:
    """A signed URL for the file's bytes, and when it expires."""
    object_key = files.object_key(account_id, doc["id"])
    key = sandbox_state(request).signing_key
    return presign.presign(key, str(request.base_url), method, object_key, doc["mime_type"])


@authenticated
async def list_files(request: Request, caller: Caller) -> Response:
    type_name, asset_id = asset_path(request)
    assets.get(caller.store, caller.account_id, type_name, asset_id, deleted=False)
    q = list_query(request, FILE_FIELDS, FILE_COLUMNS)
    total, docs = caller.store.list_records(
        "files", caller.account_id, q, ["asset_id = ?"], [asset_id]
    )
    return envelope(docs, total, q)


@authenticated
async def create_file(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    type_name, asset_id = asset_path(request)
    doc = files.create(caller.store, caller.account_id, caller.user_id, type_name, asset_id, body)
    url, _ = _presigned(request, "PUT", caller.account_id, doc)
    return json_response({"file": doc, "presignedUploadUrl": url}, 201)


@authenticated
async def upload_to_property(request: Request, caller: Caller) -> Response:
    """``POST /v1/entities/{type}/{id}/uploads/{property}`` [D]: a file for a file property."""
    body = await json_body(request)
    type_name, asset_id = asset_path(request)
    doc = files.create_for_property(
        caller.store,
        caller.account_id,
        caller.user_id,
        type_name,
        asset_id,
        request.path_params["property"],
        body,
    )
    url, _ = _presigned(request, "PUT", caller.account_id, doc)
    return json_response({"file": doc, "presignedUploadUrl": url}, 201)


@authenticated
async def complete_file(request: Request, caller: Caller) -> Response:
    doc = files.complete(caller.store, caller.account_id, caller.user_id, *_file_path(request))
    return json_response(doc)


@authenticated
async def download_file(request: Request, caller: Caller) -> Response:
    doc = files.get(caller.store, caller.account_id, *_file_path(request))
    files.check_downloadable(doc)
    url, expires_at = _presigned(request, "GET", caller.account_id, doc)
    return json_response({"url": url, "expires_at": expires_at})


@authenticated
async def delete_file(request: Request, caller: Caller) -> Response:
    path = _file_path(request)
    files.delete(caller.store, caller.account_id, caller.user_id, *path)
    return deleted(request, caller, "files", path[-1])


def _object_key(request: Request) -> str:
    return files.object_key(request.path_params["account"], request.path_params["file"])


async def storage_put(request: Request) -> Response:
    """The presigned upload target: no auth header, the URL's signature is the permission.

    Refused once the file is completed (409) or deleted (404), before reading the body too.
    """
    sb = sandbox_state(request)
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
    sb = sandbox_state(request)
    key = _object_key(request)
    media_type = presign.verify(sb.signing_key, "GET", key, dict(request.query_params), None)
    data = files.get_bytes(sb.store, key)
    if data is None:
        raise ApiError(404, "no such object")
    return Response(data, media_type=media_type)


def routes() -> list[Route]:
    one_file = ONE + "/files/{file_id}"
    storage = presign.STORAGE_PREFIX + "{account}/{file}"
    return [
        Route(ONE + "/files", list_files, methods=["GET"]),
        Route(ONE + "/files", create_file, methods=["POST"]),
        Route(UPLOADS, upload_to_property, methods=["POST"]),
        Route(one_file, delete_file, methods=["DELETE"]),
        Route(one_file + "/complete", complete_file, methods=["POST"]),
        Route(one_file + "/download", download_file, methods=["GET"]),
        Route(storage, storage_put, methods=["PUT"]),
        Route(storage, storage_get, methods=["GET"]),
    ]
