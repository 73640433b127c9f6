"""Request and response plumbing shared by the route modules."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lexful_sandbox import auth
from lexful_sandbox.errors import ApiError, error_body
from lexful_sandbox.query import ListQuery
from lexful_sandbox.state import SandboxState
from lexful_sandbox.util import dumps, loads

MAX_BODY = 10 * 1024 * 1024
JSON = "application/json"


def state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON)


def no_content() -> Response:
    return Response(status_code=204)


def error_response(error: ApiError) -> Response:
    body = dumps(error_body(error.status, error.message, error.details))
    return Response(body, status_code=error.status, media_type=JSON, headers=error.headers)


def caller(request: Request) -> auth.Caller:
    """401 for a missing, malformed or expired token; 403 for a missing or foreign account."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise auth.unauthorized("missing bearer token")
    sb = state(request)
    who = auth.verify(sb.signing_key, token.strip())
    account = request.headers.get("x-account-id")
    if not account:
        raise ApiError(403, "missing X-Account-ID header")
    if account.strip() != who.account_id or sb.store.account(who.account_id) is None:
        raise ApiError(403, "X-Account-ID does not match the token's account")
    return who


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise ApiError(413, f"request body over {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"request body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> Any:
    data = await read_body(request)
    if not data.strip():
        raise ApiError(400, "request body must be JSON")
    try:
        return loads(data)
    except Exception:  # msgspec raises its own DecodeError; any failure is the client's
        raise ApiError(400, "request body is not valid JSON") from None


def select(doc: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: doc.get(name) for name in names}


def envelope(docs: list[str], total: int, q: ListQuery) -> Response:
    """The list envelope built from stored JSON text, without decoding unless fields= asks."""
    if q.fields:
        docs = [dumps(select(loads(d), q.fields)).decode() for d in docs]
    body = f'{{"items":[{",".join(docs)}],"total":{total},"limit":{q.limit},"offset":{q.offset}}}'
    return Response(body.encode(), media_type=JSON)
