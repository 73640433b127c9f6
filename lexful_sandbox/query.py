"""List queries: bracket filters, sort, field selection and paging, compiled to SQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lexful_sandbox.errors import bad_request
from lexful_sandbox.util import canonical_date, canonical_datetime

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "like")
RESERVED = frozenset({"limit", "offset", "sort", "order", "fields", "include_deleted", "expand"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_KEY = re.compile(r"^([A-Za-z0-9_.]+)(?:\[([A-Za-z_]*)\])?$")
_COMPARE = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass
class ListQuery:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order_terms: list[tuple[str, str]] = field(
        default_factory=lambda: [("created_at", "ASC"), ("id", "ASC")]
    )
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    fields: list[str] | None = None
    include_deleted: bool = False
    expand: list[str] = field(default_factory=list)

    @property
    def order_sql(self) -> str:
        return ", ".join(f"{expr} {direction}" for expr, direction in self.order_terms)


def json_path(name: str) -> str:
    # Field names are checked against the schema before they get here, so quoting is safe.
    return f"'$.\"{name}\"'"


def _expr(name: str, columns: dict[str, str]) -> str:
    return columns.get(name) or f"json_extract(doc, {json_path(name)})"


def _bool(value: str, name: str) -> int:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise bad_request(f"{name}: expected true or false, got {value!r}", name)
    return 1 if lowered == "true" else 0


def _number(value: str, name: str) -> float | int:
    try:
        number = float(value)
    except ValueError:
        raise bad_request(f"{name}: expected a number, got {value!r}", name) from None
    return int(number) if number.is_integer() else number


def _timestamp(convert: Callable[[str], str]) -> Callable[[str, str], str]:
    def parse(value: str, name: str) -> str:
        try:
            return convert(value)
        except ValueError:
            raise bad_request(
                f"{name}: expected a date or date-time, got {value!r}", name
            ) from None

    return parse


_CONVERT: dict[str, Callable[[str, str], Any]] = {
    "boolean": _bool,
    "number": _number,
    "integer": _number,
    "datetime": _timestamp(canonical_datetime),
    "date": _timestamp(canonical_date),
}


def _convert(kind: str, value: str, name: str) -> Any:
    convert = _CONVERT.get(kind)
    return convert(value, name) if convert else value


def _like_pattern(value: str) -> str:
    # Only % is a wildcard in the contract, so a literal _ must not match any character.
    return value.replace("\\", "\\\\").replace("_", "\\_")


def _array_condition(name: str, op: str, raw: str) -> tuple[str, list[Any]]:
    """Arrays match when any element matches (``labels[eq]=x``: x is among the labels)."""
    source = f"json_each(doc, {json_path(name)})"
    if op in ("eq", "ne"):
        test, params = "value = ?", [raw]
    elif op in ("in", "nin"):
        values = raw.split(",")
        test, params = f"value IN ({','.join('?' * len(values))})", values
    elif op == "like":
        test, params = "CAST(value AS TEXT) LIKE ? ESCAPE '\\'", [_like_pattern(raw)]
    else:
        raise bad_request(f"operator {op} is not supported on array field {name}", name)
    exists = f"EXISTS (SELECT 1 FROM {source} WHERE {test})"  # noqa: S608 - checked names
    return (f"NOT {exists}" if op in ("ne", "nin") else exists), params


def condition(
    name: str, op: str, raw: str, kind: str, columns: dict[str, str]
) -> tuple[str, list[Any]]:
    """One filter as SQL. ``null`` as a value of eq/ne tests for a missing value."""
    if kind == "array":
        return _array_condition(name, op, raw)
    expr = _expr(name, columns)
    if op in ("eq", "ne") and raw == "null":
        return f"{expr} IS {'NOT ' if op == 'ne' else ''}NULL", []
    if op == "like":
        return f"CAST({expr} AS TEXT) LIKE ? ESCAPE '\\'", [_like_pattern(raw)]
    if op in ("in", "nin"):
        values = [_convert(kind, part, name) for part in raw.split(",")]
        marks = ",".join("?" * len(values))
        if op == "in":
            return f"{expr} IN ({marks})", values
        return f"({expr} IS NULL OR {expr} NOT IN ({marks}))", values
    value = _convert(kind, raw, name)
    if op == "ne":
        return f"({expr} IS NULL OR {expr} != ?)", [value]
    return f"{expr} {_COMPARE[op]} ?", [value]


def parse_key(key: str, kinds: dict[str, str]) -> tuple[str, str, bool]:
    """``field[op]`` -> (field, op, bracketed); unknown field or operator: 400."""
    match = _KEY.match(key)
    if not match:
        raise bad_request(f"unknown query parameter {key!r}", key)
    name, op = match.group(1), match.group(2)
    if name not in kinds:
        raise bad_request(f"unknown field {name!r} in filter {key!r}", name)
    if op is not None and op not in OPERATORS:
        raise bad_request(
            f"unknown operator {op!r} in filter {key!r}; known: {', '.join(OPERATORS)}", key
        )
    return name, op or "eq", op is not None


def _int_param(raw: str, name: str, low: int, high: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer, got {raw!r}", name) from None
    if value < low or (high is not None and value > high):
        upper = f"..{high}" if high is not None else " or more"
        raise bad_request(f"{name} must be {low}{upper}, got {value}", name)
    return value


def _order_terms(
    sort: str | None, order: str | None, kinds: dict[str, str], columns: dict
) -> list[tuple[str, str]]:
    names = [s.strip() for s in sort.split(",") if s.strip()] if sort else ["created_at"]
    directions = [o.strip().upper() for o in order.split(",") if o.strip()] if order else []
    for name in names:
        if name not in kinds:
            raise bad_request(f"cannot sort by unknown field {name!r}", "sort")
    for direction in directions:
        if direction not in ("ASC", "DESC"):
            raise bad_request(f"order must be ASC or DESC, got {direction!r}", "order")
    if len(directions) > len(names):
        raise bad_request("more order values than sort fields", "order")
    # A missing direction repeats the last one given (sort=a,b&order=DESC sorts both DESC).
    directions += [directions[-1] if directions else "ASC"] * (len(names) - len(directions))
    if "id" not in names:
        names.append("id")
        directions.append(directions[-1])
    return [(_expr(n, columns), d) for n, d in zip(names, directions, strict=True)]


def _field_list(raw: str, kinds: dict[str, str]) -> list[str]:
    names = [f.strip() for f in raw.split(",") if f.strip()]
    for name in names:
        if name not in kinds:
            raise bad_request(f"unknown field {name!r} in fields", "fields")
    return ["id", *[n for n in names if n != "id"]] if "id" in kinds else names


def parse_list_query(
    pairs: Iterable[tuple[str, str]],
    kinds: dict[str, str],
    columns: dict[str, str],
    *,
    partial: frozenset[str] = frozenset(),
    expand: frozenset[str] = frozenset(),
    ignore: frozenset[str] = frozenset(),
) -> ListQuery:
    """Turn the query string into SQL pieces; ``partial`` fields match bare values as substrings."""
    query = ListQuery()
    special: dict[str, str] = {}
    for key, raw in pairs:
        if key in RESERVED:
            special[key] = raw
            continue
        if key in ignore:
            continue
        name, op, bracketed = parse_key(key, kinds)
        value = raw
        if name in partial and not bracketed:
            op, value = "like", f"%{raw}%"
        sql, params = condition(name, op, value, kinds[name], columns)
        query.where.append(sql)
        query.params.extend(params)
    apply_specials(query, special, kinds, columns, expand)
    return query


def apply_specials(
    query: ListQuery,
    special: dict[str, str],
    kinds: dict[str, str],
    columns: dict[str, str],
    expand: frozenset[str],
) -> None:
    if "limit" in special:
        query.limit = _int_param(special["limit"], "limit", 1, MAX_LIMIT)
    if "offset" in special:
        query.offset = _int_param(special["offset"], "offset", 0, None)
    query.order_terms = _order_terms(special.get("sort"), special.get("order"), kinds, columns)
    if "fields" in special:
        query.fields = _field_list(special["fields"], kinds)
    query.include_deleted = parse_flag(special.get("include_deleted"), "include_deleted")
    query.expand = parse_expand(special.get("expand"), expand)


def parse_flag(raw: str | None, name: str) -> bool:
    if raw is None or raw == "":
        return False
    return bool(_bool(raw, name))


def parse_expand(raw: str | None, allowed: frozenset[str]) -> list[str]:
    names = [e.strip() for e in (raw or "").split(",") if e.strip()]
    for name in names:
        if name not in allowed:
            raise bad_request(f"cannot expand {name!r}", "expand")
    return names
