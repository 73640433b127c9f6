"""Presigned storage URLs (``sandbox_core.presign``), with expiry in Lexful's form."""

from __future__ import annotations

from lexful_sandbox.common.util import format_ms
from sandbox_core import presign as core
from sandbox_core.presign import DEFAULT_TTL_S, STORAGE_PREFIX, verify

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
