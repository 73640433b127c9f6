"""One form of a moment both APIs write and read back: UTC, milliseconds, ``Z``."""

from __future__ import annotations

from datetime import datetime, timezone


def iso_millis(moment: datetime) -> str:
    """``2024-01-15T10:30:00.000Z``: sorts lexically, needs no ``+`` in a query string."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
