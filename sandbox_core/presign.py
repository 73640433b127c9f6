"""Presigned storage URLs: HMAC over method, object key, expiry and content type.

Both profiles upload files the same way: the API hands out a URL on the sandbox's own host
whose query string is the permission, and the client sends the bytes there without auth.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from sandbox_core.errors import ApiError

STORAGE_PREFIX = "/_storage/"
DEFAULT_TTL_S = 15 * 60


def same_digest(expected: str, given: str) -> bool:
    """Constant-time comparison of a hex digest with what a client sent.

    ``hmac.compare_digest`` raises TypeError for a str with non-ASCII characters (a header
    such as ``Bearer lxt.a.tökén``); compared as UTF-8 bytes, they are merely unequal.
    """
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def signature(key: bytes, method: str, object_key: str, expires: int, content_type: str) -> str:
    message = "\n".join((method.upper(), object_key, str(expires), content_type.lower()))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def presign(
    key: bytes,
    base_url: str,
    method: str,
    object_key: str,
    content_type: str,
    ttl_s: float = DEFAULT_TTL_S,
) -> tuple[str, int]:
    """(URL, expiry in epoch seconds): the URL needs no auth header, only its query string."""
    expires = int(time.time() + ttl_s)
    query = urlencode(
        {
            "X-Expires": expires,
            "X-Content-Type": content_type,
            "X-Signature": signature(key, method, object_key, expires, content_type),
        }
    )
    return f"{base_url.rstrip('/')}{STORAGE_PREFIX}{quote(object_key)}?{query}", expires


def _media_type(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


def verify(
    key: bytes, method: str, object_key: str, query: dict[str, str], content_type: str | None
) -> str:
    """The signed content type, or 403 for a bad signature, an expired URL or wrong type."""
    try:
        expires = int(query["X-Expires"])
        signed_type = query["X-Content-Type"]
        given = query["X-Signature"]
    except (KeyError, ValueError):
        raise ApiError(403, "missing or malformed signature") from None
    expected = signature(key, method, object_key, expires, signed_type)
    if not same_digest(expected, given):
        raise ApiError(403, "signature does not match")
    if time.time() > expires:
        raise ApiError(403, "presigned URL has expired")
    if content_type is not None and _media_type(content_type) != _media_type(signed_type):
        raise ApiError(403, f"Content-Type must be {signed_type}")
    return signed_type
