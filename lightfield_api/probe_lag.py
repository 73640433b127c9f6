"""``lightfield-probe``'s index-lag check: how far the list index lags writes, timed with
reads only.

Lists come from a search index that may lag writes; a retrieve is current [D]. The index
shows the workspace as it was ``L`` seconds ago, so a record last written ``a`` seconds ago
is listed as it is when ``L <= a`` and as it was before when ``L > a``. Each record the probe
both lists and retrieves therefore bounds ``L``: a listed copy equal to the retrieve bounds
it from above (the lag is at most the write's age), an older copy from below (the lag is
more than that age). When a copy is older, the probe lists again, every
``LAG_POLL_EVERY_S`` (at most ``LAG_POLLS`` times, for at most ``LAG_WAIT_S``), until the
copy catches up: the lag is then bracketed, and compared with ``index_lag_seconds``.

What a read cannot show: a lag with no write recent enough to fall inside it (no account
written within ``index_lag_seconds`` before the probe), and the time of a trash or delete
(a listed record that retrieve no longer finds). The row then says so (``not checked``),
never ``works as is``. The ages are the probe machine's clock against the API's stamps: a
clock that is off by seconds shifts them by as much.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from connector_core import Check, Verdict
from lightfield_api import adapt

ASSUMPTION = "lists may lag writes; retrieve is current [D]: by how much is open"
KEY = "index.lag"
LAG_RETRIEVES = 2  # the newest listed records retrieved to compare with their listed copies
LAG_POLLS = 4  # lists read again, at most, to see a lagging copy catch up
LAG_POLL_EVERY_S = 1.0
LAG_WAIT_S = 5.0  # the longest the check waits for a copy to catch up


@dataclass(frozen=True)
class Listing:
    """One list answer's records, and when it was asked for and answered (epoch seconds)."""

    items: list[dict[str, Any]]
    sent_at: float
    received_at: float


@dataclass
class Bounds:
    """What the reads so far tell of the lag ``L``: ``lower < L <= upper``."""

    lower: float = 0.0
    upper: float = math.inf
    stale: bool = False  # a listed copy older than its record: the index lags
    gone: int = 0  # listed records that retrieve does not find (trashed or deleted)

    def copy_older(self, age: float) -> None:
        if age > 0:  # a write after the list was served says nothing of the lag
            self.stale = True
            self.lower = max(self.lower, age)

    def copy_current(self, age: float) -> None:
        self.upper = min(self.upper, max(age, 0.0))


def check_index_lag(
    listing: Listing,
    retrieve: Callable[[str], dict[str, Any] | None],
    relist: Callable[[], Listing],
    configured_s: float,
) -> Check:
    """The row of the index lag: ``listing`` is the list's first page, ``retrieve`` reads one
    record (None: not found), ``relist`` reads the same page again."""
    if not listing.items:  # nothing to compare: no evidence either way
        seen = (
            "not observable: the list has no record yet to compare with its retrieve (in a "
            "workspace just written, an empty list is itself a sign that the index lags)"
        )
        return Check(KEY, ASSUMPTION, seen, _UNSEEN, "edit an account, then run the probe again")
    bounds = Bounds()
    watched: tuple[str, float, str] | None = None  # (id, write epoch, current stamp)
    for item in sorted(listing.items, key=stamp, reverse=True)[:LAG_RETRIEVES]:
        current = retrieve(str(item["id"]))
        if current is None:
            bounds.gone += 1
            continue
        write = epoch(stamp(current))
        if stamp(current) == stamp(item):
            bounds.copy_current(listing.received_at - write)
            continue
        bounds.copy_older(listing.sent_at - write)
        if write < listing.sent_at and (watched is None or write > watched[1]):
            watched = (str(item["id"]), write, stamp(current))
    first_lower = bounds.lower
    started = time.monotonic()
    polls = 0
    while watched is not None and not adapt.index_lag_covered(bounds.upper, configured_s):
        if polls >= LAG_POLLS or time.monotonic() - started >= LAG_WAIT_S:
            break
        record_id, write, current_stamp = watched
        # The next read: a second on; sooner if the last moment a caught-up copy still
        # proves the lag covered (the write's age reaching index_lag_seconds) comes first.
        wait = LAG_POLL_EVERY_S
        decisive = write + configured_s - 0.1 - time.time()
        if bounds.lower < configured_s and 0 < decisive < wait:
            wait = decisive
        time.sleep(wait)
        again = relist()
        polls += 1
        copy = next((i for i in again.items if str(i.get("id")) == record_id), None)
        if copy is None:  # off the page now: nothing more to compare
            break
        if stamp(copy) == current_stamp:
            bounds.copy_current(again.received_at - write)
            break
        bounds.copy_older(again.sent_at - write)
    return _row(bounds, configured_s, first_lower)


_UNSEEN = Verdict.NOT_CHECKED


def _row(bounds: Bounds, configured_s: float, first_lower: float) -> Check:
    setting = f"index_lag_seconds ({configured_s:g})"
    if adapt.index_lag_covered(bounds.upper, configured_s):
        if bounds.stale or bounds.gone:
            before = (
                f"showed a write {first_lower:.1f} s old as it was before"
                if bounds.stale
                else "showed a record that retrieve no longer finds"
            )
            seen = f"the list {before}; it caught up within {bounds.upper:.1f} s"
            action = f"the bookmark stays {setting} behind; the target finds its own creates"
            return Check(KEY, ASSUMPTION, seen, Verdict.ADAPTS, action)
        seen = f"a write {bounds.upper:.1f} s old is listed as it is: the lag is at most that"
        return Check(KEY, ASSUMPTION, seen, Verdict.WORKS, f"the bookmark stays {setting} behind")
    if bounds.stale and not math.isinf(bounds.upper):
        # Caught up after index_lag_seconds: over it, or (the read's resolution) close to it.
        seen = (
            f"the list showed a record as it was over {bounds.lower:.1f} s before; it "
            f"caught up within {bounds.upper:.1f} s"
        )
        action = f"index_lag_seconds >= {math.ceil(bounds.upper)} (now {configured_s:g})"
        return Check(KEY, ASSUMPTION, seen, Verdict.SETTING, action)
    if bounds.stale and bounds.lower >= configured_s:
        seen = (
            f"the list showed a record as it was over {bounds.lower:.1f} s before, and had "
            "not caught up when the probe stopped waiting"
        )
        needed = math.floor(bounds.lower) + 1
        action = f"index_lag_seconds >= {needed} at least (now {configured_s:g})"
        return Check(KEY, ASSUMPTION, seen, Verdict.SETTING, action)
    again = "edit an account, then run the probe again at once to time the lag"
    if bounds.stale:
        seen = (
            f"the list lags over {bounds.lower:.1f} s and had not caught up when the probe "
            f"stopped waiting: whether {setting} covers it is not observable"
        )
        return Check(KEY, ASSUMPTION, seen, _UNSEEN, f"raise index_lag_seconds, or {again}")
    if bounds.gone:
        seen = (
            "the list shows a record that retrieve does not find (trashed or deleted, when "
            "no read tells): it lags, by how much is not observable"
        )
        return Check(KEY, ASSUMPTION, seen, _UNSEEN, again)
    seen = (
        f"not observable: the newest write listed is {bounds.upper:.1f} s old, none within "
        f"{setting} to time the lag by"
    )
    return Check(KEY, ASSUMPTION, seen, _UNSEEN, again)


def stamp(item: dict[str, Any]) -> str:
    """When a record was last written, as the API stamps it."""
    return str(item.get("updatedAt") or item.get("createdAt") or "")


def epoch(text: str) -> float:
    """A stamp in epoch seconds (now when it does not parse: an age of 0 tells nothing)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return time.time()
    return moment.astimezone(timezone.utc).timestamp()
