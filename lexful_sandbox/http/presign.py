"""Presigned storage URLs: HMAC over method, object key, expiry and content type."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.common.util import format_ms
from lexful_sandbox.http.tokens import same_digest

STORAGE_PREFIX = "/_storage/"
DEFAULT_TTL_S = 15 * 60


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
) -> tuple[str, str]:
    """(URL, expiry as ISO): the URL needs no auth header, only its own query string."""
    expires = int(time.time() + ttl_s)
    query = urlencode(
        {
            "X-Expires": expires,
            "X-Content-Type": content_type,
            "X-Signature": signature(key, method, object_key, expires, content_type),
        }
    )
    url = f"{base_url.rstrip('/')}{STORAGE_PREFIX}{quote(object_key)}?{query}"
    return url, format_ms(expires * 1000)


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
