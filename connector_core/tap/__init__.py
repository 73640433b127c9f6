"""The taps' shared half: the run's client and pool, the ordered concurrent page walker,
progress and per-stream summaries, and the SDK logging hooks of a stream.

Nothing here knows one API: a stream hands the walker ``fetch(token) -> Page`` and
``position(record)``; the client is ``connector_core.http.HttpClient`` with the API's profile.
"""

# The declared surface: what plugins may import (tests/test_layout.py checks it).
from __future__ import annotations

from connector_core.tap.paging import (
    MAX_STALLED_REWALKS,
    MIN_DEPTH,
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    Records,
    RereadPageWalker,
    Walk,
    pages_in_flight,
)
from connector_core.tap.runtime import PROGRESS_EVERY_S, Progress, Runtime, run_now, wait_for
from connector_core.tap.stream import LoggedStream, PagedStream, StreamError

__all__ = [
    "MAX_STALLED_REWALKS",
    "MIN_DEPTH",
    "PROGRESS_EVERY_S",
    "LoggedStream",
    "OverlapPager",
    "Page",
    "PageToken",
    "PageWalker",
    "PagedStream",
    "Position",
    "Progress",
    "Records",
    "RereadPageWalker",
    "Runtime",
    "StreamError",
    "Walk",
    "pages_in_flight",
    "run_now",
    "wait_for",
]
