"""The ``filter_trees`` setting: per stream, a documented ``filter`` tree (AND/OR groups of
``field[op]=value`` leaves), sent beside the flat ``filters`` and ANDed with them.

Checked before the first request: the stream exists, the tree is within the documented limits
(``contract.FILTER_TREE_MAX_DEPTH`` levels, ``contract.FILTER_TREE_MAX_CONDITIONS`` leaves),
and each leaf names a field of the stream and a known operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lexful_api import contract

SETTING = "filter_trees"


def tree_of(config: Mapping[str, Any], stream: str) -> Any:
    return (config.get(SETTING) or {}).get(stream)


def params(config: Mapping[str, Any], stream: str) -> dict[str, str]:
    """The ``filter`` query parameter of ``stream``, if it has a tree."""
    tree = tree_of(config, stream)
    return {"filter": contract.filter_tree_param(tree)} if tree else {}


def shape_problem(config: Mapping[str, Any]) -> str | None:
    """What is wrong with a tree itself (before any request): past the limits, malformed, or
    an unknown operator; one line naming the setting and the stream. None: all fine."""
    for stream, tree in (config.get(SETTING) or {}).items():
        try:
            contract.filter_tree_leaves(tree)
        except ValueError as exc:
            return f"{SETTING}.{stream}: {exc}"
    return None


def field_problem(
    config: Mapping[str, Any], fields_of: Mapping[str, set[str]], lists: set[str]
) -> str | None:
    """What is wrong once the streams are known: an unknown stream or field.

    ``fields_of``: every stream's fields; ``lists``: the streams that take a tree (the main
    lists, not links, files or counts)."""
    for stream, tree in (config.get(SETTING) or {}).items():
        if stream not in fields_of:
            return f"{SETTING}: no stream named {stream!r}; streams: {sorted(fields_of)}"
        if stream not in lists:
            return f"{SETTING}.{stream}: the stream takes no filter tree; these do: {sorted(lists)}"
        for field, _ in contract.filter_tree_leaves(tree):
            if field not in fields_of[stream]:
                return f"{SETTING}.{stream}: the stream has no field {field!r}"
    return None
