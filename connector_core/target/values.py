"""Small value helpers: JSON-safe copies, stable hashes, and keeping secrets out of output."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from typing import Any

from connector_core.timestamps import iso_millis

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Fields whose value is a URL that may carry a presigned signature in its query.
_URL_FIELDS = ("download_url", "presignedUploadUrl", "uploadUrl", "url")
_URL_QUERY = re.compile(r"(https?://[^\s\"'?]+)\?[^\s\"']*")
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")


def json_safe(value: Any) -> Any:
    """A copy the API and ``json.dumps`` accept.

    The SDK parses date-time fields into ``datetime`` and the msgspec reader reads numbers as
    ``Decimal``; the API wants the ISO strings and plain numbers back.
    """
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return iso_millis(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def stable_hash(value: Any) -> str:
    text = json.dumps(json_safe(value), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def strip_query(url: str) -> str:
    """A URL without its query, fragment and user info: where signatures and passwords live.

    By text, not ``urlsplit``: a malformed URL (``http://[::1/x?sig``) must lose them too.
    """
    return _USERINFO.sub(r"\1", re.split(r"[?#]", url, maxsplit=1)[0])


def redacted(record: Any) -> Any:
    """A record fit for a rejects file or a log line: presigned URLs lose their signature."""
    if isinstance(record, str):  # a raw line: any URL in it loses its query
        return _URL_QUERY.sub(r"\1?<signature removed>", record)
    if not isinstance(record, dict):
        return json_safe(record)
    out = {}
    for key, value in record.items():
        if key in _URL_FIELDS and isinstance(value, str) and ("?" in value or "@" in value):
            out[key] = strip_query(value) + ("?<signature removed>" if "?" in value else "")
        else:
            out[key] = json_safe(value)
    return out
