"""The names a ``stream_maps`` expression uses, checked against what the SDK's mapper gives it.

An expression that parses but names something the mapper does not provide (a field the
stream does not have, a function it does not register) fails only at the first record of a
sync, with a message that names neither the setting nor the stream. Discovery checks the
names statically (nothing is evaluated: a value-dependent failure is not refused here).
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

# The names singer-sdk 0.54.9's CustomStreamMap._eval puts beside the record's properties
# (a private method, so listed here): "_" and "record" (the record), "config" (the map
# config), "__stream_name__" (the alias), "__original_stream_name__" (the source stream),
# "self" (the property's own value, in a property's expression), "fake" (with faker_config).
MAPPER_NAMES = frozenset(
    {"_", "record", "config", "__stream_name__", "__original_stream_name__", "self"}
)
FAKER_NAME = "fake"
# The map options that are not expressions (singer_sdk.mapper.MAPPER_*_OPTION).
NOT_EXPRESSIONS = frozenset({"__source__", "__alias__", "__else__", "__key_properties__"})


def unknown_name(
    stream_maps: Mapping[str, Any],
    streams: Iterable[tuple[str, Iterable[str]]],
    provided: Iterable[str],
) -> str | None:
    """The one-line problem of the first expression naming what its stream lacks, else None.

    ``streams``: (name, property names) of each discovered stream; ``provided``: what the
    mapper adds (its functions, :data:`MAPPER_NAMES`, ``fake`` when faker is set up).
    """
    known_extra = set(provided)
    for stream_name, properties in streams:
        known = known_extra | set(properties)
        for map_key, map_value in stream_maps.items():
            if not isinstance(map_value, Mapping):
                continue
            source = str(map_value.get("__source__", map_key))
            if stream_name != source and not fnmatch.fnmatch(stream_name, source):
                continue
            for key, expression in map_value.items():
                if key in NOT_EXPRESSIONS or not isinstance(expression, str):
                    continue
                name = _first_unknown(expression, known)
                if name is not None:
                    where = f"stream_maps.{map_key}.{key}"
                    if map_key != stream_name:
                        where += f" (stream {stream_name})"
                    return (
                        f"{where}: {expression!r} uses {name!r}, which is neither a property "
                        f"of stream {stream_name} nor a name or function of the stream mapper"
                    )
    return None


def _first_unknown(expression: str, known: set[str]) -> str | None:
    try:
        tree = ast.parse(expression)
    except SyntaxError:
        return None  # told by the SDK's own parse, with its message
    bound = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    loaded = [
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    ]
    return next((name for name in loaded if name not in known and name not in bound), None)
