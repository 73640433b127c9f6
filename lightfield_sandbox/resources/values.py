"""Field values on write: each value type's check and the one form it is stored and read in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import bad_request
from lightfield_sandbox.resources.definitions import FieldDef, option_id

STRING_TYPES = frozenset({"TEXT", "MARKDOWN", "HTML", "TELEPHONE", "SOCIAL_HANDLE", "URL"})


class BadValue(ValueError):
    """A value that does not fit its field; the caller names the param."""


def canonical_datetime(text: Any) -> str:
    """ISO 8601 in UTC with milliseconds, so that stored values compare as text."""
    if not isinstance(text, str):
        raise BadValue("must be an ISO 8601 date-time")
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadValue("must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return utc.replace("+00:00", "Z")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise BadValue("must be a string")
    return value


def _email(value: Any) -> str:
    if not isinstance(value, str) or "@" not in value.strip("@"):
        raise BadValue("must be an email address")
    return value


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue("must be a number")
    return value


def _checkbox(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadValue("must be true or false")
    return value


def _object(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict) or not set(value) <= set(keys):
        raise BadValue(f"must be an object with keys among {', '.join(keys)}")
    return {k: value.get(k) for k in keys}


def _address(value: Any) -> dict[str, Any]:
    out = _object(value, contract.ADDRESS_KEYS)
    country = out["country"]
    if country is not None and not (isinstance(country, str) and len(country) == 2):
        raise BadValue("country must be an ISO 3166 alpha-2 code")
    return out


def _full_name(value: Any) -> dict[str, Any]:
    out = _object(value, contract.FULL_NAME_KEYS)
    if any(v is not None and not isinstance(v, str) for v in out.values()):
        raise BadValue("firstName and lastName must be strings")
    return out


def _option(fd: FieldDef, value: Any) -> str:
    """A select option named by id or label, stored as its label (contract.SELECT_READS_AS)."""
    for label in fd.options:
        if value in (label, option_id(label)):
            return label
    raise BadValue(f"must be one of {', '.join(fd.options)}")


SINGLE: dict[str, Callable[[Any], Any]] = {
    "EMAIL": _email,
    "NUMBER": _number,
    "CURRENCY": _number,
    "CHECKBOX": _checkbox,
    "DATETIME": canonical_datetime,
    "ADDRESS": _address,
    "FULL_NAME": _full_name,
    **dict.fromkeys(STRING_TYPES, _string),
}


def _one(fd: FieldDef, value: Any) -> Any:
    if fd.value_type == "SINGLE_SELECT":
        return _option(fd, value)
    if fd.value_type == "MULTI_SELECT":
        if not isinstance(value, list):
            raise BadValue("must be a list of options")
        return [_option(fd, v) for v in value]
    return SINGLE[fd.value_type](value)


def _unwrap(fd: FieldDef, value: Any) -> Any:
    """The wrapped form ``{value, valueType}`` (contract.WRAPPED_WRITES_ACCEPTED)."""
    if isinstance(value, dict) and set(value) == {"value", "valueType"}:
        if value["valueType"] != fd.value_type:
            raise BadValue(f"valueType must be {fd.value_type}")
        return value["value"]
    return value


def normalize(fd: FieldDef, key: str, raw: Any) -> Any:
    """The stored form of a value written to field ``key``; 400 naming ``fields.<key>``."""
    param = f"fields.{key}"
    try:
        value = _unwrap(fd, raw)
        if value is None:
            return None
        if fd.multiple:
            values = value if isinstance(value, list) else [value]
            return [_one(fd, v) for v in values]
        return _one(fd, value)
    except BadValue as exc:
        raise bad_request(f"{key} {exc}", contract.INVALID_VALUE, param) from None


def wrap(fd: FieldDef, value: Any) -> dict[str, Any]:
    """How a stored value reads: ``{value, valueType}``."""
    return {"value": value, "valueType": fd.value_type}
