"""Walking one Lexful list: the core's page walker (``connector_core.tap.paging``).

Lexful sorts every list on ``(key, id)`` and filters on ``key[gte]``, so a walk that finds the
list changed re-reads from its last emitted key: ``PageWalker`` as it is.
"""

from connector_core.tap import (
    MAX_STALLED_REWALKS,
    MIN_DEPTH,
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    Records,
    Walk,
    pages_in_flight,
)

__all__ = [
    "MAX_STALLED_REWALKS",
    "MIN_DEPTH",
    "OverlapPager",
    "Page",
    "PageToken",
    "PageWalker",
    "Position",
    "Records",
    "Walk",
    "pages_in_flight",
]
