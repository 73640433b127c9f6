"""Names from an API made safe as Singer stream names: data, never a path or log structure.

A stream name becomes a file name (target-jsonl), a table name and a log word downstream, so
one from the API (a custom object type's slug) keeps only ``[a-z0-9_]``. A name that had to
change gets a short hash of the original, so two slugs never share a stream (``a.b``, ``a_b``).
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^a-z0-9_]")
MAX_NAME = 80


def stream_name(name: str) -> str:
    """``name`` if it is already lower-case ``[a-z0-9_]`` and short; else a safe form of it."""
    cleaned = _UNSAFE.sub("_", name.lower())
    if cleaned == name and 0 < len(name) <= MAX_NAME and not name[0].isdigit():
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned[: MAX_NAME - 9].strip('_') or 'object'}_{digest}"
