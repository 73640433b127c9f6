"""List queries: bracket filters, sort, field selection and paging, compiled to SQL."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lexful_sandbox.common.errors import bad_request
from lexful_sandbox.common.util import canonical_date, canonical_datetime
from lexful_sandbox.storage.filter_tree import compile_tree

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "like")
RESERVED = frozenset(
    {"limit", "offset", "sort", "order", "fields", "include_deleted", "expand", "filter"}
)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# SQLite integers are signed 64-bit: a bound value beyond them raises OverflowError.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# SQLite nests ANDed conditions up to 1000 deep, binds at most 32,766 values per statement
# and sorts by at most 2000 terms; these caps keep every query well inside those limits.
MAX_FILTERS = 100
MAX_IN_VALUES = 1000
MAX_FILTER_VALUES = 10_000
MAX_SORT_FIELDS = 32
# Plain decimal numbers only: float() and int() also take "1_0", "inf", "nan" and non-ASCII
# digits, none of which the contract's numbers are. The fraction needs its dot, so a run of
# digits splits one way only: no quadratic backtracking on a long bad value.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_EXACT_DIGITS = 19  # every integer of at most 19 digits parses exactly and cheaply
_KEY = re.compile(r"^([A-Za-z0-9_.]+)(?:\[([A-Za-z_]*)\])?$")
_COMPARE = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass
class ListQuery:
    """A list request compiled to SQL: conditions and their values, order, page, fields."""

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


def _shown(value: str) -> str:
    """The value as quoted in a message, cut short: a filter may be thousands of digits."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def _decimal(value: str, name: str) -> int | float:
    """A finite number: exact when a short integer, a double otherwise."""
    text = value.strip()
    if not _DECIMAL.fullmatch(text):
        raise bad_request(f"{name}: expected a number, got {_shown(value)}", name)
    digits = text.lstrip("+-")
    if _INTEGER.fullmatch(text) and len(digits) <= _EXACT_DIGITS:
        return int(text)  # float() would round 2**63 - 1 up to 2**63
    number = float(text)
    if not math.isfinite(number):
        raise bad_request(f"{name}: {_shown(value)} is out of range", name)
    return number


def _in_int64(number: int | float) -> bool:
    return INT64_MIN <= number <= INT64_MAX


def _integer(value: str, name: str) -> int | float:
    """An integer field's filter value; out of the 64-bit range it could never match: 400."""
    number = _decimal(value, name)
    if not _in_int64(number):
        raise bad_request(f"{name}: {_shown(value)} is out of the 64-bit integer range", name)
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _number(value: str, name: str) -> int | float:
    """A number field's value is a double; integral values within 64 bits bind as integers."""
    number = _decimal(value, name)
    if isinstance(number, int) and not _in_int64(number):
        return float(number)
    if isinstance(number, float) and number.is_integer() and _in_int64(number):
        return int(number)
    return number


def _timestamp(convert: Callable[[str], str]) -> Callable[[str, str], str]:
    def parse(value: str, name: str) -> str:
        try:
            return convert(value)
        except ValueError:
            raise bad_request(
                f"{name}: expected a date or date-time within years 1..9999 in UTC, "
                f"got {_shown(value)}",
                name,
            ) from None

    return parse


_CONVERT: dict[str, Callable[[str, str], Any]] = {
    "boolean": _bool,
    "number": _number,
    "integer": _integer,
    "datetime": _timestamp(canonical_datetime),
    "date": _timestamp(canonical_date),
}


def _convert(kind: str, value: str, name: str) -> Any:
    convert = _CONVERT.get(kind)
    return convert(value, name) if convert else value


def _like_pattern(value: str) -> str:
    # Only % is a wildcard in the contract, so a literal _ must not match any character.
    return value.replace("\\", "\\\\").replace("_", "\\_")


def _in_values(raw: str, name: str) -> list[str]:
    values = raw.split(",")
    if len(values) > MAX_IN_VALUES:
        raise bad_request(f"{name}: at most {MAX_IN_VALUES} values in a list", name)
    return values


def _array_condition(name: str, op: str, raw: str) -> tuple[str, list[Any]]:
    """Arrays match when any element matches (``labels[eq]=x``: x is among the labels)."""
    source = f"json_each(doc, {json_path(name)})"
    if op in ("eq", "ne"):
        test, params = "value = ?", [raw]
    elif op in ("in", "nin"):
        values = _in_values(raw, name)
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
        values = [_convert(kind, part, name) for part in _in_values(raw, name)]
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


def _int_param(raw: str, name: str, low: int, high: int) -> int:
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise bad_request(f"{name} must be an integer, got {_shown(raw)}", name)
    # Past 19 digits it is out of range anyway; int() of 5000 digits would even raise.
    value = int(text) if len(text.lstrip("+-")) <= _EXACT_DIGITS else None
    if value is None or value < low or value > high:
        raise bad_request(f"{name} must be {low}..{high}, got {_shown(text)}", name)
    return value


def _sort_directions(
    sort: str | None, order: str | None, kinds: dict[str, str]
) -> list[tuple[str, str]]:
    """(field, ASC|DESC) pairs as asked, checked; 400 for unknown fields or directions."""
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
    return list(zip(names, directions, strict=True))


def _order_terms(
    sort: str | None, order: str | None, kinds: dict[str, str], columns: dict[str, str]
) -> list[tuple[str, str]]:
    pairs = _sort_directions(sort, order, kinds)
    # A field sorted again never changes the order: only its first use counts.
    terms: dict[str, str] = {}
    for name, direction in pairs:
        terms.setdefault(name, direction)
    if len(terms) > MAX_SORT_FIELDS:
        raise bad_request(f"at most {MAX_SORT_FIELDS} sort fields", "sort")
    terms.setdefault("id", pairs[-1][1])  # the tiebreaker that makes pages stable
    return [(_expr(n, columns), d) for n, d in terms.items()]


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
        _check_size(query)
    if "filter" in special:

        def leaf(key: str, raw: str) -> tuple[str, list[Any]]:
            name, op, _ = parse_key(key, kinds)
            return condition(name, op, raw, kinds[name], columns)

        sql, params = compile_tree(special["filter"], leaf)
        query.where.append(sql)
        query.params.extend(params)
        _check_size(query)
    apply_specials(query, special, kinds, columns, expand)
    return query


def _check_size(query: ListQuery) -> None:
    if len(query.where) > MAX_FILTERS:
        raise bad_request(f"at most {MAX_FILTERS} filters in one query")
    if len(query.params) > MAX_FILTER_VALUES:
        raise bad_request(f"at most {MAX_FILTER_VALUES} filter values in one query")


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
        query.offset = _int_param(special["offset"], "offset", 0, INT64_MAX)
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
