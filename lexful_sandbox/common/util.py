"""Clock, IDs, timestamps and JSON: the small things every module needs."""

from __future__ import annotations

import os
import random
import re
import threading
import time
from datetime import date, datetime, timezone

from sandbox_core.clock import iso_ms
from sandbox_core.codec import dumps, loads

__all__ = [
    "dumps",
    "format_ms",
    "loads",
]  # re-exported: every layer of the sandbox reads JSON through here

_id_lock = threading.Lock()
_last_id_state = [0, 0]  # [ms, counter]: keeps IDs strictly increasing inside one process
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


format_ms = iso_ms  # the API's timestamp form, which also sorts lexically


def _uuid_from(ms: int, counter: int, rand62: int) -> str:
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76 | (counter & 0xFFF) << 64
    value |= 0b10 << 62 | (rand62 & ((1 << 62) - 1))
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def next_id_and_time() -> tuple[str, str]:
    """A UUIDv7 and its creation timestamp; both strictly ordered by call order.

    The counter in the 12 ``rand_a`` bits orders IDs made in the same millisecond, so sorting
    by ``created_at, id`` always reproduces insertion order.
    """
    with _id_lock:
        ms = now_ms()
        last_ms, counter = _last_id_state
        if ms <= last_ms:
            ms, counter = last_ms, counter + 1
            if counter > 0xFFF:
                ms, counter = ms + 1, 0
        else:
            counter = 0
        _last_id_state[:] = [ms, counter]
    rand = int.from_bytes(os.urandom(8), "big")
    return _uuid_from(ms, counter, rand), format_ms(ms)


def touched(previous: str | None) -> str:
    """A new ``updated_at``: now, but always later than the previous one of the record."""
    now = next_id_and_time()[1]
    if previous is None or now > previous:
        return now
    return format_ms(int(parse_datetime(previous).timestamp() * 1000) + 1)


def seeded_id(rng: random.Random, ms: int, counter: int = 0) -> str:
    """A UUIDv7 for seed data at a chosen moment, deterministic from ``rng``."""
    return _uuid_from(ms, counter, rng.getrandbits(62))


def parse_datetime(text: str) -> datetime:
    """A date or an ISO-8601 date-time (with or without ms, ``Z`` or offset) as aware UTC."""
    value = text.strip()
    if _DATE.match(value):
        parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
    else:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        # An offset can move year 1 or year 9999 out of datetime's range once in UTC; callers
        # turn ValueError into a 400, where an OverflowError would have been a 500.
        raise ValueError(f"{text!r} is outside years 1..9999 in UTC") from None


def canonical_datetime(text: str) -> str:
    """Any accepted date-time in the one stored form, so lexical comparison is correct."""
    moment = parse_datetime(text)
    # isoformat keeps four year digits; strftime's %Y writes year 999 as "999" on glibc,
    # which would sort after "2024" as text.
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def canonical_date(text: str) -> str:
    value = text.strip()
    if _DATE.match(value):
        return date.fromisoformat(value).isoformat()
    return parse_datetime(value).date().isoformat()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "org"
