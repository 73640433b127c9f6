"""Checks of request bodies against the contract: asset values and asset type definitions."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from lexful_sandbox.common.errors import ApiError, bad_request
from lexful_sandbox.common.util import canonical_date, canonical_datetime
from lexful_sandbox.resources.fields import ASSET_FIXED_FIELDS, PROPERTY_TYPES
from lexful_sandbox.storage.query import INT64_MAX, INT64_MIN

MASKED = "********"
MASKED_TYPES = frozenset({"secret", "totp"})
PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
ARRAY_ITEM_TYPES = frozenset({"object", "string", "number", "integer", "boolean"})
PROPERTY_KEYS = frozenset(
    {"name", "type", "display_name", "description", "required", "enum", "array", "file_rules"}
)
REFERENCE_KEYS = frozenset(
    {
        "name",
        "display_name",
        "description",
        "required",
        "multiple",
        "target_asset_types",
        "target_entity_types",
    }
)


def fail(path: str, message: str) -> ApiError:
    return bad_request(f"{path}: {message}", path)


def _object_of(value: Any, keys: Container[str], path: str) -> dict[str, Any]:
    """``value`` as an object whose keys are all among ``keys``; else a 400 naming the field."""
    if not isinstance(value, dict):
        raise fail(path, "expected an object")
    for key in value:
        if key not in keys:
            raise fail(f"{path}.{key}", "unknown field")
    return value


# --- values ------------------------------------------------------------------------------


def _scalar(ptype: str, value: Any, path: str) -> Any:
    if ptype in ("string", "richtext", "secret", "totp"):
        if not isinstance(value, str):
            raise fail(path, f"expected a string ({ptype})")
        return MASKED if ptype in MASKED_TYPES else value
    if ptype == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(path, "expected a number")
        return value
    if ptype == "integer":
        return _integer(value, path)
    if ptype == "boolean":
        if not isinstance(value, bool):
            raise fail(path, "expected a boolean")
        return value
    return _temporal(ptype, value, path)


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, "expected an integer")
    # Filters and sorts compare stored integers in SQLite, whose integers are 64-bit.
    if not INT64_MIN <= value <= INT64_MAX:
        raise fail(path, "integer out of the 64-bit range")
    return value


def _temporal(ptype: str, value: Any, path: str) -> Any:
    convert = canonical_date if ptype == "date" else canonical_datetime
    if not isinstance(value, str):
        raise fail(path, f"expected a {ptype} string")
    try:
        return convert(value)
    except ValueError:
        raise fail(path, f"not a valid {ptype}: {value!r}") from None


def _array(definition: dict[str, Any], value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(path, "expected an array")
    spec = definition.get("array") or {"type": "string"}
    if spec.get("type") == "object":
        return [
            check_object(spec.get("properties") or [], item, f"{path}[{i}]")
            for i, item in enumerate(value)
        ]
    return [
        _scalar(spec.get("type", "string"), item, f"{path}[{i}]") for i, item in enumerate(value)
    ]


def check_value(definition: dict[str, Any], value: Any, path: str) -> Any:
    """The stored form of one property value, or a 400 naming the field."""
    if value is None:
        return None
    ptype = definition["type"]
    if ptype == "file":
        raise fail(path, "file properties are set by completing a file upload")
    result = _array(definition, value, path) if ptype == "array" else _scalar(ptype, value, path)
    allowed = definition.get("enum")
    if allowed and ptype != "array" and result not in allowed:
        raise fail(path, f"must be one of {', '.join(map(str, allowed))}")
    return result


def check_object(properties: list[dict[str, Any]], value: Any, path: str) -> dict[str, Any]:
    """An object item of an array property: required, enum, types, unknown keys."""
    by_name = {p["name"]: p for p in properties}
    value = _object_of(value, by_name, path)
    result = {}
    for name, definition in by_name.items():
        item = value.get(name)
        if item is None and definition.get("required"):
            raise fail(f"{path}.{name}", "is required")
        if name in value:
            result[name] = check_value(definition, item, f"{path}.{name}")
    return result


# --- asset type definitions ----------------------------------------------------------------


def _text(body: dict[str, Any], key: str, path: str, limit: int, *, nullable: bool) -> None:
    value = body.get(key)
    if value is None and nullable:
        return
    if not isinstance(value, str) or (not value.strip() and not nullable) or len(value) > limit:
        raise fail(path, f"expected a string of at most {limit} characters")


def _array_spec(spec: Any, path: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or spec.get("type") not in ARRAY_ITEM_TYPES:
        raise fail(path, f"expected {{'type': one of {sorted(ARRAY_ITEM_TYPES)}}}")
    if spec["type"] != "object":
        return {"type": spec["type"]}
    return {"type": "object", "properties": check_properties(spec.get("properties"), path, ())}


def check_property(raw: Any, path: str) -> dict[str, Any]:
    raw = _object_of(raw, PROPERTY_KEYS, path)
    name, ptype = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not PROPERTY_NAME.match(name):
        raise fail(f"{path}.name", "must match ^[a-z][a-z0-9_]*$")
    if ptype not in PROPERTY_TYPES:
        raise fail(f"{path}.type", f"must be one of {', '.join(sorted(PROPERTY_TYPES))}")
    _text(raw, "display_name", f"{path}.display_name", 255, nullable=True)
    _text(raw, "description", f"{path}.description", 2000, nullable=True)
    definition: dict[str, Any] = {
        "name": name,
        "type": ptype,
        "display_name": raw.get("display_name") or name.replace("_", " ").title(),
        "description": raw.get("description"),
        "required": _flag(raw, "required", path),
    }
    if raw.get("enum") is not None:
        enum = raw["enum"]
        if not isinstance(enum, list) or not all(isinstance(e, str) for e in enum) or not enum:
            raise fail(f"{path}.enum", "expected a non-empty array of strings")
        definition["enum"] = enum
    if ptype == "array":
        definition["array"] = _array_spec(raw.get("array") or {"type": "string"}, f"{path}.array")
    if ptype == "file":
        definition["file_rules"] = _file_rules(raw.get("file_rules"), f"{path}.file_rules")
    return definition


def _flag(raw: dict[str, Any], key: str, path: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise fail(f"{path}.{key}", "expected a boolean")
    return value


def _file_rules(raw: Any, path: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail(path, "expected an object")
    rules: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "max_size" and isinstance(value, int) and not isinstance(value, bool):
            rules[key] = value
        elif key in ("allowed_extensions", "allowed_mime_types") and isinstance(value, list):
            rules[key] = [str(v) for v in value]
        else:
            raise fail(f"{path}.{key}", "unknown or invalid file rule")
    return rules


def check_properties(raw: Any, path: str, reserved: tuple[str, ...]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise fail(path, "expected an array")
    result, seen = [], set()
    for i, item in enumerate(raw):
        definition = check_property(item, f"{path}[{i}]")
        if definition["name"] in seen or definition["name"] in reserved:
            raise fail(f"{path}[{i}].name", f"{definition['name']!r} is taken")
        seen.add(definition["name"])
        result.append(definition)
    return result


def check_reference(raw: Any, path: str) -> dict[str, Any]:
    raw = _object_of(raw, REFERENCE_KEYS, path)
    name = raw.get("name")
    if not isinstance(name, str) or not PROPERTY_NAME.match(name):
        raise fail(f"{path}.name", "must match ^[a-z][a-z0-9_]*$")
    targets = raw.get("target_asset_types", raw.get("target_entity_types"))
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise fail(f"{path}.target_asset_types", "expected a non-empty array of type names")
    return {
        "name": name,
        "display_name": raw.get("display_name") or name.replace("_", " ").title(),
        "required": _flag(raw, "required", path),
        "multiple": _flag(raw, "multiple", path),
        "target_asset_types": targets,
    }


def check_references(raw: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise fail(path, "expected an array")
    result, seen = [], set()
    for i, item in enumerate(raw):
        definition = check_reference(item, f"{path}[{i}]")
        if definition["name"] in seen:
            raise fail(f"{path}[{i}].name", f"{definition['name']!r} is taken")
        seen.add(definition["name"])
        result.append(definition)
    return result


# Property names that would collide with the fixed fields of an asset record.
RESERVED_PROPERTY_NAMES = tuple(n for n in ASSET_FIXED_FIELDS if n != "name")
