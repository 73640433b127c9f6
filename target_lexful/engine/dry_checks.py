"""A dry run's stand-in for the API's validation: what the contract says a body must be [D].

A real run learns a bad value from the API's 400; a dry run sends nothing, so it checks the
body against the same rules (docs/lexful-api.md: property types, enums, required fields,
organization fields), and its plan rejects what the real run would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from connector_core.target import RecordError

_TEXT = ("string", "richtext", "secret", "totp")
_FIXED = frozenset({"organization_id", "references", "visibility", "owned_by"})
_NULLABLE_TEXT = ("description", "logo_url", "website_url", "notes", "alert")


def _fail(path: str, message: str) -> RecordError:
    return RecordError(f"{path}: {message}", 400)


def check_asset(body: dict[str, Any], type_def: dict[str, Any], *, creating: bool) -> None:
    """The API's validation of an asset body, as far as the type definition tells."""
    props = {p["name"]: p for p in type_def.get("properties") or []}
    name = type_def.get("name")
    for key, value in body.items():
        if key not in props and key not in _FIXED:
            raise _fail(key, f"unknown field for asset type {name}")
        if key in props and value is not None:
            check_value(props[key], value, key)
    if creating:
        if "organization_id" not in body:
            raise _fail("organization_id", "is required")
        for prop in props.values():
            if prop.get("required") and body.get(prop["name"]) is None:
                raise _fail(prop["name"], "is required")


def check_value(definition: dict[str, Any], value: Any, path: str) -> None:
    """One property value against its type and enum."""
    ptype = definition.get("type", "string")
    if ptype == "array":
        if not isinstance(value, list):
            raise _fail(path, "expected an array")
        item = (definition.get("array") or {}).get("type", "string")
        if item != "object":
            for i, v in enumerate(value):
                _scalar(item, v, f"{path}[{i}]")
        return
    _scalar(ptype, value, path)
    allowed = definition.get("enum")
    if allowed and value not in allowed:
        raise _fail(path, f"{value!r} is not one of {', '.join(map(str, allowed))}")


def _scalar(ptype: str, value: Any, path: str) -> None:
    if ptype in _TEXT:
        ok = isinstance(value, str)
    elif ptype == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif ptype == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif ptype == "boolean":
        ok = isinstance(value, bool)
    elif ptype in ("date", "datetime"):
        if not isinstance(value, str) or not _is_moment(value):
            raise _fail(path, f"not a valid {ptype}: {value!r}")
        return
    else:
        return  # a type the contract does not describe: the API decides
    if not ok:
        raise _fail(path, f"expected {'an' if ptype == 'integer' else 'a'} {ptype}")


def _is_moment(text: str) -> bool:
    """A date (2024-01-31) or an ISO-8601 date-time (Z or an offset), as the API takes [A]."""
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        if len(value) == 10:
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_organization(body: dict[str, Any], org_types: set[str], *, creating: bool) -> None:
    """The API's validation of an organization body [D]."""
    name = body.get("name")
    if "name" in body and (not isinstance(name, str) or not 1 <= len(name.strip()) <= 255):
        raise _fail("name", "expected a string of 1..255 characters")
    for key in ("type", "status"):
        if key in body and (not isinstance(body[key], str) or not body[key]):
            raise _fail(key, "expected a non-empty string")
    for key in _NULLABLE_TEXT:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise _fail(key, "expected a string or null")
    if "is_primary" in body and not isinstance(body["is_primary"], bool):
        raise _fail("is_primary", "expected a boolean")
    if body.get("type") and body["type"] not in org_types:
        raise _fail("type", f"no organization type named {body['type']!r}")
    if creating:
        for key in ("name", "type", "status"):
            if body.get(key) is None:
                raise _fail(key, "is required")
