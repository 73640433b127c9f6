"""List queries: ``limit``/``offset`` and ``$field`` filters, applied to the index's view.

The operators each value type takes are the contract's; how a filter is written
(``$field=value``, ``$field[operator]=value``, ``-`` to negate) is an assumption of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common import variants
from lightfield_sandbox.common.errors import bad_request
from lightfield_sandbox.resources.definitions import FieldDef
from lightfield_sandbox.resources.values import BadValue, canonical_datetime

PAGING = ("limit", "offset")


@dataclass(frozen=True)
class Filter:
    """One ``$field[operator]=value`` of a list request."""

    key: str
    operator: str
    negate: bool
    value: str
    value_type: str

    def matches(self, doc: dict[str, Any]) -> bool:
        stored = doc["fields"].get(self.key, {}).get("value")
        return TESTS[self.operator](self, stored) != self.negate


def _int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        msg = f"{name} must be an integer from {low} to {high}"
        raise bad_request(msg, contract.INVALID_VALUE, name)
    return int(raw)


def page_cap() -> int:
    """The most records a page may hold: the contract's, or a ``page-cap-*`` variant's."""
    for name, cap in variants.PAGE_CAPS.items():
        if variants.active(name):
            return cap
    return contract.MAX_PAGE_SIZE


def page_of(params: dict[str, str]) -> tuple[int, int]:
    """(limit, offset): 1..25 (the page cap) and 0.., 400 otherwise."""
    limit = _int(params, "limit", contract.DEFAULT_PAGE_SIZE, 1, page_cap())
    return limit, _int(params, "offset", 0, 0, 2**63 - 1)


def _texts(stored: Any) -> list[str]:
    """The strings a text-like filter compares with: every element, every part of an object."""
    if stored is None:
        return []
    if isinstance(stored, list):
        return [t for item in stored for t in _texts(item)]
    if isinstance(stored, dict):
        parts = [str(v) for v in stored.values() if v is not None]
        return [" ".join(parts), *parts]
    return [str(stored).lower() if isinstance(stored, bool) else str(stored)]


def _comparable(f: Filter, stored: Any) -> tuple[Any, Any] | None:
    if stored is None:
        return None
    if f.value_type == "DATETIME":
        return stored, canonical_datetime(f.value)
    return float(stored), float(f.value)


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Filter, Any], bool]:
    def run(f: Filter, stored: Any) -> bool:
        pair = _comparable(f, stored)
        return pair is not None and test(*pair)

    return run


def _equal(f: Filter, stored: Any) -> bool:
    if f.value_type in ("NUMBER", "CURRENCY", "DATETIME"):
        pair = _comparable(f, stored)
        return pair is not None and pair[0] == pair[1]
    return any(t.lower() == f.value.lower() for t in _texts(stored))


TESTS: dict[str, Callable[[Filter, Any], bool]] = {
    "equal": _equal,
    "startsWith": lambda f, s: any(t.lower().startswith(f.value.lower()) for t in _texts(s)),
    "contains": lambda f, s: any(f.value.lower() in t.lower() for t in _texts(s)),
    "greaterThan": _ordered(lambda a, b: a > b),
    "greaterThanOrEqual": _ordered(lambda a, b: a >= b),
    "lessThan": _ordered(lambda a, b: a < b),
    "lessThanOrEqual": _ordered(lambda a, b: a <= b),
}


def _check_value(f: Filter, name: str) -> None:
    try:
        if f.value_type == "DATETIME":
            canonical_datetime(f.value)
        elif f.value_type in ("NUMBER", "CURRENCY") and f.operator != "contains":
            float(f.value)
    except (BadValue, ValueError):
        raise bad_request(f"{name}: bad value", contract.INVALID_FILTER, name) from None


def parse_filter(name: str, value: str, fields: dict[str, FieldDef]) -> Filter:
    match = contract.FILTER_PARAM.match(name)
    key = match.group(1) if match else name
    fd = fields.get(key)
    if match is None or fd is None:
        raise bad_request(f"unknown query parameter {name}", contract.UNKNOWN_FIELD, name)
    allowed = contract.FILTER_OPERATORS[fd.value_type]
    given = match.group(2) or ("equal" if "equal" in allowed else "contains")
    negate = given.startswith(contract.FILTER_NEGATION)
    operator = given.removeprefix(contract.FILTER_NEGATION)
    if operator not in allowed:
        msg = f"{key} ({fd.value_type}) cannot be filtered with {operator}"
        raise bad_request(msg, contract.INVALID_FILTER, name)
    found = Filter(key, operator, negate, value, fd.value_type)
    _check_value(found, name)
    return found


def run(
    docs: list[dict[str, Any]], params: list[tuple[str, str]], fields: dict[str, FieldDef]
) -> tuple[int, list[dict[str, Any]]]:
    """(totalCount, the page) of ``docs`` for the request's query string."""
    single = dict(params)
    limit, offset = page_of(single)
    filters = [parse_filter(k, v, fields) for k, v in params if k not in PAGING]
    if variants.active(variants.FILTERS_IGNORED):
        filters = []  # checked, then not applied
    kept = [d for d in docs if all(f.matches(d) for f in filters)]
    return len(kept), kept[offset : offset + limit]


def split_status(params: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """(``status``, the other parameters): ``active`` (default) or ``trashed``, 400 otherwise."""
    status = "active"
    rest = []
    for name, value in params:
        if name != "status":
            rest.append((name, value))
        elif value in contract.LIST_STATUSES:
            status = value
        else:
            msg = f"status must be one of {', '.join(contract.LIST_STATUSES)}"
            raise bad_request(msg, contract.INVALID_VALUE, "status")
    return status, rest
