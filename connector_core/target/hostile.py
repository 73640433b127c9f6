"""Values the rest of the target cannot take: nesting too deep, numbers too big.

Both parse as JSON, and both break the run far from where they were read: Python's recursion
(``json.dumps``, ``copy``, jsonschema, ``json_safe``) fails near 1,000 levels, a number with
over 4,300 digits cannot be printed, and ``int(Decimal("1e999999999"))`` runs for hours. The
reader turns such a message into a reject, and the rejects file never converts such a value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

MAX_DEPTH = 100  # levels of objects and arrays in one message: far beyond any real record
_MAX_EXPONENT = 308  # what a float holds; the API takes no bigger number
_INT_LIMIT = 10**_MAX_EXPONENT


def problem(value: Any) -> str | None:
    """Why ``value`` (as decoded from JSON) would break the target, or ``None``.

    A loop over an explicit stack, not recursion: the value may be nested past the limit.
    """
    if not isinstance(value, (dict, list)):
        return _number_problem(value)
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif (found := _number_problem(child)) is not None:
                return found
    return None


def _number_problem(value: Any) -> str | None:
    if isinstance(value, Decimal):
        too_big = bool(value) and value.adjusted() >= _MAX_EXPONENT
    elif isinstance(value, int):
        too_big = abs(value) >= _INT_LIMIT
    else:
        return None
    return f"a number is out of range (1e{_MAX_EXPONENT} or more)" if too_big else None
