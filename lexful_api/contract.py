"""What we know, and what we assume, of the Lexful API: the one place both sides read it.

Every assumption ([A] in ``docs/lexful-api.md``) that the tap or the target depends on is a
constant or a small function here, so that when Lexful documents the real answer it is a
one-line change. What the connectors do when the API answers otherwise (a single sort key, a
page cap, the older paths...) is decided in one module, ``lexful_api/adapt.py``; the probe
that tells a user which assumptions hold is ``lexful_api/probe.py``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from connector_core import iso_millis, path_segment

DEFAULT_API_URL = "https://api.us.lexful.app"  # [D] the US pod
TOKEN_PATH = "/v1/auth/token"  # [D]
ACCOUNT_HEADER = "X-Account-ID"  # [D]
TOKEN_FIELDS = ("token", "access_token")  # [A] tolerant: either name
DEFAULT_TOKEN_LIFETIME_S = 3600  # [D] 60 minutes
MIN_TOKEN_LIFETIME_S = 1  # [A] a shorter expires_in is read as this (tests use 1 s)
MAX_TOKEN_LIFETIME_S = 86400  # [A] a longer one too
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what a bearer token is [A]
MASKED_VALUE = "********"  # [A] how secret and totp values read back
MASKED_PROPERTY_TYPES = frozenset({"secret", "totp"})  # [A]
EXT_PREFIX = "ext_"  # [D] the only names a system type may be extended with
SYSTEM_PREFIX = "system."  # [D]
MAX_PAGE_SIZE = 1000  # [D for users, A elsewhere]
BULK_LIMIT = 100  # [D] organizations per bulk create or update
FILTER_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "like")  # [D+A]
FILTER_NULL = "null"  # [A] how a filter value says null (field[eq]=null: the field is empty)
FILTER_TREE_MAX_DEPTH = 3  # [D] users; [A] on every other list
FILTER_TREE_MAX_CONDITIONS = 50  # [D]
DEFAULT_SORT = ("created_at", "id")  # [A] the server's own default; always sent explicitly
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})  # [A] 429 with Retry-After
# [A] 401 on an expired token; 403 too (variant expired-403): a new token, then one retry.
TOKEN_REFRESH_STATUSES = frozenset({401, 403})
REFERENCE_TARGET_KEYS = ("target_asset_types", "target_entity_types")  # [D] both spellings
ASSET_FIXED_FIELDS = (  # [D] beside the type's own properties
    "id",
    "organization_id",
    "organization_name",
    "name",
    "visibility",
    "owned_by",
    "labels",
    "references",
    "asset_type",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "deleted_at",
)
# [D] The writable fields of an organization (docs/lexful-api.md, Organizations).
ORGANIZATION_FIELDS = frozenset(
    {
        "name",
        "slug",
        "type",
        "status",
        "description",
        "logo_url",
        "website_url",
        "notes",
        "alert",
        "parent_id",
        "asset_management",
        "is_primary",
    }
)
AUDIT_FIELDS = ("created_at", "updated_at", "created_by", "updated_by", "deleted_at")  # [D]
SCOPE_ALL = "*"  # [D] a user scope that is every account or organization, not a list of ids

_FILTER_KEY = re.compile(r"^([A-Za-z0-9_.]+)(?:\[([a-z]+)\])?$")
_STREAM_CHARS = re.compile(r"[^a-z0-9_]")


# --- paths ---------------------------------------------------------------------------------


def organizations_path(org_id: str | None = None) -> str:
    return "/v1/organizations" + (f"/{path_segment(org_id)}" if org_id else "")


def organization_types_path() -> str:
    return "/v1/organization_types"


def asset_types_path(type_id: str | None = None) -> str:
    return "/v1/asset_types" + (f"/{path_segment(type_id)}" if type_id else "")


def users_path(user_id: str | None = None) -> str:
    return "/v1/users" + (f"/{path_segment(user_id)}" if user_id else "")


def entity_counts_path() -> str:
    return "/v1/entities/counts"  # [D]


def assets_path(asset_type: str, asset_id: str | None = None) -> str:
    return f"/v1/assets/{path_segment(asset_type)}" + (
        f"/{path_segment(asset_id)}" if asset_id else ""
    )


def related_path(asset_type: str, asset_id: str, related_id: str | None = None) -> str:
    tail = f"/{path_segment(related_id)}" if related_id else ""
    return f"{assets_path(asset_type, asset_id)}/related{tail}"


def files_path(asset_type: str, asset_id: str, file_id: str | None = None) -> str:
    tail = f"/{path_segment(file_id)}" if file_id else ""
    return f"{assets_path(asset_type, asset_id)}/files{tail}"


def entity_upload_path(entity_type: str, entity_id: str, property_name: str) -> str:
    """Where a file for a file-typed property is created [D: "create as entity property"]."""
    entity = f"{path_segment(entity_type)}/{path_segment(entity_id)}"
    return f"/v1/entities/{entity}/uploads/{path_segment(property_name)}"


def file_complete_path(asset_type: str, asset_id: str, file_id: str) -> str:
    return f"{files_path(asset_type, asset_id, file_id)}/complete"


def file_download_path(asset_type: str, asset_id: str, file_id: str) -> str:
    return f"{files_path(asset_type, asset_id, file_id)}/download"


# --- envelopes and bodies --------------------------------------------------------------------


def list_items(body: Any) -> list[dict[str, Any]]:
    """The records of a list answer: ``{"items": [...]}`` [D], or a bare array (tolerated)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        items = body.get("items")
        if isinstance(items, list):
            return items
    msg = "list answer has no 'items' array"
    raise ValueError(msg)


def list_total(body: Any) -> int | None:
    """The ``total`` of a list answer, when it has one [D]."""
    total = body.get("total") if isinstance(body, dict) else None
    return total if isinstance(total, int) else None


def entity_counts(body: Any) -> dict[str, dict[str, int]]:
    """Type name -> organization id -> count, from ``{<type>: {..., "counts": {...}}}`` [D]."""
    out: dict[str, dict[str, int]] = {}
    if not isinstance(body, dict):
        msg = "entity counts answer is not an object"
        raise ValueError(msg)
    for name, entry in body.items():
        counts = entry.get("counts") if isinstance(entry, dict) else None
        if isinstance(counts, dict):
            out[str(name)] = {str(k): int(v) for k, v in counts.items() if isinstance(v, int)}
    return out


def created_file(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The file record and the presigned upload URL of a file-create answer [D]."""
    return body["file"], body["presignedUploadUrl"]


def download_url(body: dict[str, Any]) -> str:
    """The presigned URL of a download answer ([A] ``url``; tolerant of a few spellings)."""
    for key in ("url", "downloadUrl", "presignedDownloadUrl", "download_url"):
        url = body.get(key)
        if isinstance(url, str):
            return url
    msg = "download answer has no URL"
    raise ValueError(msg)


def error_message(body: Any, fallback: str = "") -> str:
    """One line from an error body: what Lexful's support asks for, whatever the shape.

    The documented body [D] is ``{status, message, error_id, error_code, developer_message}``:
    the line is ``developer_message`` (or ``message`` when it says no more), then
    ``[error_code ..., error_id ...]``. Any other object is read tolerantly (``message``,
    ``error``, ``detail``, ``details``), a text body by its first 500 characters.
    """
    if isinstance(body, dict):
        text = _error_text(body)
        tags = [f"{k} {body[k]}" for k in ERROR_TAGS if body.get(k) not in (None, "")]
        if tags:
            text = f"{text} [{', '.join(tags)}]" if text else ", ".join(tags)
        if text:
            return " ".join(text.split())
    if isinstance(body, str) and body.strip():
        return " ".join(body.strip()[:500].split())
    return fallback


ERROR_TAGS = ("error_code", "error_id")  # [D] what Lexful's support asks for


def _error_text(body: dict[str, Any]) -> str:
    message, developer = body.get("message"), body.get("developer_message")
    parts = [str(body[k]) for k in ("message", "error", "detail") if body.get(k)]
    if developer and str(developer) != str(message):
        # The developer message usually restates the message with more detail.
        parts = [p for p in parts if p not in str(developer)] + [str(developer)]
    details = body.get("details")
    if details:
        parts.append(f"details: {details}")
    return "; ".join(dict.fromkeys(parts))


def token_and_expiry(body: dict[str, Any], now: datetime) -> tuple[str, datetime]:
    """The bearer token and when it expires, read tolerantly [A]."""
    token = next((body[k] for k in TOKEN_FIELDS if isinstance(body.get(k), str)), None)
    if not token:
        msg = "token answer has no 'token' or 'access_token'"
        raise ValueError(msg)
    if not _HEADER_SAFE.fullmatch(token):  # a CR or LF would break (or inject) a header
        msg = "token answer's token holds characters a header cannot carry"
        raise ValueError(msg)
    if isinstance(body.get("expires_in"), (int, float)):
        return token, now + timedelta(seconds=token_lifetime_s(float(body["expires_in"])))
    if isinstance(body.get("expires_at"), str):
        return token, parse_timestamp(body["expires_at"])
    return token, now + timedelta(seconds=DEFAULT_TOKEN_LIFETIME_S)


def token_lifetime_s(expires_in: float) -> float:
    """``expires_in`` held between 1 second and a day [A]: a peer's ``-1`` would fetch a token
    before every request, its ``1e308`` overflow the clock."""
    if math.isnan(expires_in):
        return DEFAULT_TOKEN_LIFETIME_S
    return min(max(expires_in, MIN_TOKEN_LIFETIME_S), MAX_TOKEN_LIFETIME_S)


# --- filters, names and values -------------------------------------------------------------


def parse_filter_key(key: str) -> tuple[str, str]:
    """Split ``field[op]`` into field and operator; a bare ``field`` means ``eq`` [D]."""
    match = _FILTER_KEY.match(key)
    if not match:
        msg = f"not a filter: {key!r} (expected field[op] with op one of {FILTER_OPERATORS})"
        raise ValueError(msg)
    field, op = match.group(1), match.group(2) or "eq"
    if op not in FILTER_OPERATORS:
        msg = f"unknown filter operator {op!r} in {key!r}; known: {', '.join(FILTER_OPERATORS)}"
        raise ValueError(msg)
    return field, op


def filter_tree_leaves(tree: Any) -> list[tuple[str, str]]:
    """The (field, operator) of each leaf of a ``filter`` tree, checked as documented [D:
    "list users"]: groups ``{"and": [...]}``/``{"or": [...]}``, leaves ``field[op]=value``,
    at most ``FILTER_TREE_MAX_DEPTH`` levels and ``FILTER_TREE_MAX_CONDITIONS`` leaves."""
    leaves: list[tuple[str, str]] = []

    def walk(node: Any, depth: int) -> None:
        if isinstance(node, str):
            key, sep, _ = node.partition("=")
            if not sep:
                msg = f"{node!r} is not field[operator]=value"
                raise ValueError(msg)
            leaves.append(parse_filter_key(key))
            if len(leaves) > FILTER_TREE_MAX_CONDITIONS:
                msg = f"more than {FILTER_TREE_MAX_CONDITIONS} conditions"
                raise ValueError(msg)
            return
        if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in ("and", "or"):
            msg = 'a node is {"and": [...]}, {"or": [...]} or a "field[op]=value" string'
            raise ValueError(msg)
        if depth >= FILTER_TREE_MAX_DEPTH:
            msg = f"nested deeper than {FILTER_TREE_MAX_DEPTH} levels"
            raise ValueError(msg)
        ((op, children),) = node.items()
        if not isinstance(children, list) or not children:
            msg = f"{op!r} takes a non-empty array"
            raise ValueError(msg)
        for child in children:
            walk(child, depth + 1)

    walk(tree, 0)
    return leaves


def filter_tree_param(tree: Any) -> str:
    """The ``filter`` query value: the tree's compact JSON (the client URL-encodes it) [D]."""
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=False)


def sort_params(key: str = DEFAULT_SORT[0], tiebreak: str = DEFAULT_SORT[1]) -> dict[str, str]:
    """An explicit, total ascending order: offsets only hold under a fixed one [D: send a sort]."""
    return {"sort": f"{key},{tiebreak}", "order": "ASC,ASC"}


def stream_name(asset_type: str) -> str:
    """The Singer stream name of an asset type: ``system.contact`` -> ``system_contact``."""
    return _STREAM_CHARS.sub("_", asset_type.lower())


def is_masked(value: Any) -> bool:
    return bool(value == MASKED_VALUE)


def scope_ids(value: Any) -> tuple[list[str] | None, bool]:
    """A user scope as (the ids it lists, whether it is all of them).

    The API sends a list of UUIDs or ``SCOPE_ALL`` [D]: one value of two types, which a
    warehouse column cannot hold, so the connectors split it in two. All is ``([], True)``;
    null stays null (not all); a lone id instead of a list is a list of one (tolerated).
    """
    if value == SCOPE_ALL:
        return [], True
    if value is None:
        return None, False
    if isinstance(value, list):
        return [str(item) for item in value], False
    return [str(value)], False


def reference_targets(reference: dict[str, Any]) -> list[str]:
    for key in REFERENCE_TARGET_KEYS:
        targets = reference.get(key)
        if isinstance(targets, list):
            return targets
    return []


def parse_timestamp(value: str) -> datetime:
    """An ISO-8601 timestamp, with or without milliseconds or ``Z`` [D], as aware UTC."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_timestamp(moment: datetime) -> str:
    """The API's own form, ``2024-01-15T10:30:00.000Z``: sorts lexically, needs no ``+``."""
    return iso_millis(moment)


_API_FORM = len("2024-01-15T10:30:00.000Z")


def reformat_timestamp(value: str) -> str:
    """Timestamp text in any ISO-8601 form, rewritten in the API's form (milliseconds, ``Z``)."""
    if len(value) == _API_FORM and value[19] == "." and value[-1] == "Z":
        return value
    return format_timestamp(parse_timestamp(value))


def sortable_timestamp(value: object) -> str:
    """A timestamp as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (microseconds), or ``""`` for none:
    the strings of two moments compare as the moments do, whatever form each came in."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) == _API_FORM and value[19] == "." and value[-1] == "Z":
        return value[:23] + "000Z"  # the API's own form: the fast path
    return parse_timestamp(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def filter_value(value: object) -> str:
    """A filter value as the API reads it: booleans ``true``/``false``, null ``FILTER_NULL``,
    lists comma-joined."""
    if value is None:
        return FILTER_NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(filter_value(item) for item in value)
    return str(value)


def first_created(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Of records that are one and the same (two runs created it at the same moment), the one
    every run keeps: the first created, by ``created_at`` then ``id`` [A: that order is the
    order in which creates were committed, so a record a list does not show yet sorts after
    every record it shows]."""
    return min(
        items,
        key=lambda item: (sortable_timestamp(item.get("created_at")), str(item.get("id"))),
        default=None,
    )
