"""The ``filter`` parameter: a URL-encoded JSON AND/OR tree of bracket-notation leaves.

[D] (the users list): a node is a group ``{"and": [...]}`` / ``{"or": [...]}`` or a leaf, a
string ``field[operator]=value``; the tree is ANDed with the bracket filters; at most 3 levels
of nesting and 50 conditions. [A] the same on every list; past the limits, or malformed: 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lexful_sandbox.common.errors import bad_request

MAX_DEPTH = 3
MAX_CONDITIONS = 50
PARAM = "filter"

# One leaf compiled to SQL: (field[op], value) -> (sql, params).
Leaf = Callable[[str, str], tuple[str, list[Any]]]


def compile_tree(raw: str, leaf: Leaf) -> tuple[str, list[Any]]:
    """The whole tree as one SQL condition; 400 naming ``filter`` for anything wrong."""
    try:
        tree = json.loads(raw)
    except ValueError:
        raise bad_request("filter: not a JSON filter tree", PARAM) from None
    counter = [0]
    return _node(tree, 0, counter, leaf)


def _node(node: Any, depth: int, counter: list[int], leaf: Leaf) -> tuple[str, list[Any]]:
    if isinstance(node, str):
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise bad_request(f"filter: more than {MAX_CONDITIONS} conditions", PARAM)
        key, sep, value = node.partition("=")
        if not sep or not key:
            raise bad_request(f"filter: {node[:60]!r} is not field[operator]=value", PARAM)
        return leaf(key, value)
    if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in ("and", "or"):
        raise bad_request('filter: a node is {"and": [...]}, {"or": [...]} or a string', PARAM)
    if depth + 1 > MAX_DEPTH:
        raise bad_request(f"filter: nested deeper than {MAX_DEPTH} levels", PARAM)
    ((op, children),) = node.items()
    if not isinstance(children, list) or not children:
        raise bad_request(f"filter: {op!r} takes a non-empty array", PARAM)
    parts = [_node(child, depth + 1, counter, leaf) for child in children]
    sql = f" {op.upper()} ".join(f"({s})" for s, _ in parts)
    return f"({sql})", [p for _, params in parts for p in params]
