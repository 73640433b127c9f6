"""Files: create an upload session, PUT the bytes to the presigned URL (no auth: its signature
is the permission), complete (optional md5), cancel, retrieve, list, and a download URL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.common.errors import not_found
from lightfield_sandbox.http.deps import authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import files, query
from lightfield_sandbox.resources.actor import Actor
from sandbox_core import presign
from sandbox_core.bodies import read_body
from sandbox_core.clock import iso_ms


def _url(
    request: Request, method: str, actor: Actor, doc: dict[str, Any], ttl_s: int
) -> tuple[str, int]:
    key = files.object_key(actor.workspace_id, doc["id"])
    signing = state_of(request).signing_key
    return presign.presign(signing, str(request.base_url), method, key, doc["mimeType"], ttl_s)


@writer("files:create", "files.create")
def create(request: Request, actor: Actor, body: Any) -> Response:
    doc = files.create(actor, body)
    url, _ = _url(request, "PUT", actor, doc, contract.UPLOAD_TTL_S)
    answer = {**doc, "uploadUrl": url, "uploadHeaders": {"Content-Type": doc["mimeType"]}}
    return json_response(answer, contract.CREATE_STATUS)


@writer("files:create", "files.complete", body_required=False)
def complete(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(files.complete(actor, request.path_params["id"], body))


@writer("files:create", "files.cancel", body_required=False)
def cancel(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(files.cancel(actor, request.path_params["id"]))


@authenticated("files:read")
async def retrieve(request: Request, actor: Actor) -> Response:
    return json_response(files.get(actor, request.path_params["id"]))


@authenticated("files:read")
async def list_files(request: Request, actor: Actor) -> Response:
    docs = actor.store.index_view(actor.workspace_id, "file", state_of(request).index_cutoff())
    total, data = query.run(docs, request.query_params.multi_items(), {})
    return page([files.current(actor, d) for d in data], total)


@authenticated("files:read")
async def download_url(request: Request, actor: Actor) -> Response:
    doc = files.downloadable(actor, request.path_params["id"])
    url, expires = _url(request, "GET", actor, doc, contract.DOWNLOAD_URL_TTL_S)
    return json_response({"url": url, "expiresAt": iso_ms(expires * 1000)})


def _storage_actor(request: Request) -> Actor:
    state = state_of(request)
    return Actor(state.store, request.path_params["ws"], "")


async def storage_put(request: Request) -> Response:
    """The presigned upload target; refused (409) once the file left PENDING."""
    actor = _storage_actor(request)
    key = files.object_key(actor.workspace_id, request.path_params["file"])
    query_params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    presign.verify(state_of(request).signing_key, "PUT", key, query_params, content_type)
    files.get(actor, request.path_params["file"])  # 404 before reading a body for nothing
    data = await read_body(request, contract.FILE_MAX_BYTES)
    files.receive(actor, request.path_params["file"], data)
    return Response(status_code=200)


async def storage_get(request: Request) -> Response:
    actor = _storage_actor(request)
    key = files.object_key(actor.workspace_id, request.path_params["file"])
    media_type = presign.verify(
        state_of(request).signing_key, "GET", key, dict(request.query_params), None
    )
    data = actor.store.blob(key)
    if data is None:
        raise not_found("object")
    return Response(data, media_type=media_type)


def routes() -> list[Route]:
    storage = presign.STORAGE_PREFIX + "{ws}/{file}"
    return [
        Route("/v1/files", create, methods=["POST"]),
        Route("/v1/files", list_files, methods=["GET"]),
        Route("/v1/files/{id}", retrieve, methods=["GET"]),
        Route("/v1/files/{id}/complete", complete, methods=["POST"]),
        Route("/v1/files/{id}/cancel", cancel, methods=["POST"]),
        Route("/v1/files/{id}/url", download_url, methods=["GET"]),
        Route(storage, storage_put, methods=["PUT"]),
        Route(storage, storage_get, methods=["GET"]),
    ]
