"""Values of an asset type's properties made to fit the stream's schema.

An asset type's property can change its type (``PATCH /v1/asset_types/{id}``: ``port_count``
from ``integer`` to ``string``) while the records written before keep their old values: the API
then sends ``8`` where the schema, built from today's definition, says a string. A loader that
validates records (target-postgres does) refuses such a record and the whole load stops. So a
value is converted to the schema's type when that loses nothing (to a string: its JSON text;
``"8"`` to an integer; ``1`` to ``true``); a value no conversion can fit is sent unchanged and
reported once per property.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

_UNFIT = object()


def scalar_types(schema: Mapping[str, Any], names: frozenset[str]) -> dict[str, str]:
    """The JSON type of each of ``names`` whose schema is one scalar type beside null (not
    JSON text)."""
    found: dict[str, str] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kinds = prop.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        own = [k for k in kinds if k != "null"]
        if "contentMediaType" in prop:  # JSON text: LexfulStream.post_process writes it
            continue
        if name in names and len(own) == 1 and own[0] in _CONVERT:
            found[name] = own[0]
    return found


def _fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, int | float)


def _to_string(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False)


def _to_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return _UNFIT
        if not math.isfinite(number):
            return _UNFIT
        return int(number) if number.is_integer() and "." not in value else number
    return _UNFIT


def _to_integer(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return _UNFIT
    if isinstance(value, bool):
        return int(value)
    return _UNFIT


def _to_boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool) and isinstance(value, int) and value in (0, 1):
        return bool(value)
    return _UNFIT


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "string": _to_string,
    "number": _to_number,
    "integer": _to_integer,
    "boolean": _to_boolean,
}


#: The Python types of the JSON values that fit each schema type as they are: the per-record
#: check is one lookup for them (``_fits`` decides the rest: a float that is an integer).
_FITTING: dict[str, frozenset[type]] = {
    "string": frozenset({str, type(None)}),
    "boolean": frozenset({bool, type(None)}),
    "integer": frozenset({int, type(None)}),
    "number": frozenset({int, float, type(None)}),
}


class Conformer:
    """Converts the values of one stream's scalar properties to their schema's type."""

    def __init__(self, stream: str, types: dict[str, str], logger: logging.Logger) -> None:
        self.stream = stream
        self.types = types
        self.logger = logger
        self.reported: set[str] = set()
        self._checks = tuple((name, kind, _FITTING[kind]) for name, kind in types.items())

    def apply(self, row: dict[str, Any]) -> None:
        for name, kind, fitting in self._checks:
            value = row.get(name)
            if type(value) in fitting or value is None or _fits(kind, value):
                continue
            converted = _CONVERT[kind](value)
            if converted is not _UNFIT:
                row[name] = converted
            elif name not in self.reported:
                self.reported.add(name)
                self.logger.warning(
                    "Stream '%s': property '%s' holds a %s where its schema says %s "
                    "(its asset type changed after the record was written); sent unchanged",
                    self.stream,
                    name,
                    type(value).__name__,
                    kind,
                )
