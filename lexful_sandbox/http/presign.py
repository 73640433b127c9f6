"""Presigned storage URLs (``connector_core.sandbox.presign``), with expiry in Lexful's form."""

from __future__ import annotations

from connector_core.sandbox import presign as core
from connector_core.sandbox.presign import DEFAULT_TTL_S, STORAGE_PREFIX, verify
from lexful_sandbox.common.util import format_ms

__all__ = ["DEFAULT_TTL_S", "STORAGE_PREFIX", "presign", "verify"]


def presign(
    key: bytes,
    base_url: str,
    method: str,
    object_key: str,
    content_type: str,
    ttl_s: float = DEFAULT_TTL_S,
) -> tuple[str, str]:
    """(URL, expiry as the API's timestamp): the URL needs only its own query string."""
    url, expires = core.presign(key, base_url, method, object_key, content_type, ttl_s)
    return url, format_ms(expires * 1000)
