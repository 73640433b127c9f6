"""Record IDs: a type prefix, then hex that sorts in creation order (``acc_0190...``)."""

from __future__ import annotations

import os
import random
import threading

from lightfield_api.contract import ID_PREFIXES

_lock = threading.Lock()
_last = [0, 0]  # [ms, counter]: IDs made in the same millisecond still sort by call order


def new_id(kind: str, ms: int, rng: random.Random | None = None) -> str:
    """An ID for a record of ``kind`` made at ``ms``; deterministic when ``rng`` is given."""
    with _lock:
        last_ms, counter = _last
        counter = counter + 1 if ms <= last_ms else 0
        _last[:] = [max(ms, last_ms), counter]
        ms = max(ms, last_ms)
    tail = rng.randbytes(5).hex() if rng else os.urandom(5).hex()
    return f"{ID_PREFIXES.get(kind, ID_PREFIXES['custom'])}{ms:012x}{counter:04x}{tail}"
