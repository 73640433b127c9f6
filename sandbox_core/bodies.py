"""What every route reads from a request: the server's state and a bounded (JSON) body."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sandbox_core.codec import loads
from sandbox_core.errors import ApiError

MAX_BODY = 10 * 1024 * 1024


def server_state(request: Request) -> Any:
    """The profile's ``ServerState`` subclass (set by ``app.build_app``); callers narrow it."""
    return request.app.state.sandbox


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The whole body, refused with 413 as soon as it is known to exceed ``limit``."""
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


def parse_json(data: bytes) -> Any:
    """A body's JSON value; 400 when it is empty or not JSON."""
    if not data.strip():
        raise ApiError(400, "request body must be JSON")
    try:
        return loads(data)
    except Exception:  # msgspec raises its own DecodeError; any failure is the client's
        raise ApiError(400, "request body is not valid JSON") from None


async def json_body(request: Request) -> Any:
    return parse_json(await read_body(request))
