"""The rejects file: one JSON line per record that could not be written, with the reason."""

from __future__ import annotations

import datetime as dt
import json
import os
import reprlib
import threading
from pathlib import Path
from typing import Any

from connector_core import safe_files, scrub
from connector_core.target import hostile
from connector_core.target.values import redacted


class Rejects:
    """Appends rejects as ``{"stream", "record", "error", "status", "rejected_at"}`` lines.

    Each line is flushed when written: a reject counts as "handled" for STATE, so it must be
    on disk before the STATE that covers it is emitted.
    """

    def __init__(self, path: str | Path, *, enabled: bool = True) -> None:
        self.path = Path(path)
        self.enabled = enabled
        self._lock = threading.Lock()
        self._file: Any = None

    def write(self, stream: str | None, record: Any, error: str, status: int | None) -> None:
        line = _line(
            {
                "stream": stream,
                "record": record,
                "error": error,
                "status": status,
                "rejected_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            }
        )
        with self._lock:
            if not self.enabled:
                return
            if self._file is None:
                # 0600, never through a symlink: a reject holds its record's body.
                self.path.parent.mkdir(mode=safe_files.DIR_MODE, parents=True, exist_ok=True)
                try:
                    fd = safe_files.open_append(self.path)
                except safe_files.UnsafePath as exc:
                    raise safe_files.Refused(f"rejects_path: {exc}") from None
                self._file = os.fdopen(fd, "a", encoding="utf-8")
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


_SHORT = reprlib.Repr()  # bounded depth and length, unlike json.dumps
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 6, 2000, 200


def _line(fields: dict[str, Any]) -> str:
    """The reject as one JSON line, whatever its record holds: a reject never stops the run."""
    record = fields["record"]
    # A hostile value (nesting past the recursion limit, a number whose conversion takes
    # hours) is never converted: it is stored as a shortened repr instead.
    try:
        stored = _shortened(record) if hostile.problem(record) else redacted(record)
        line = json.dumps({**fields, "record": stored}, default=str)
    except (ValueError, TypeError, RecursionError):
        line = json.dumps({**fields, "record": _shortened(record)}, default=str)
    return scrub.mask(line)  # no configured secret, in any encoding, reaches the file


def _shortened(record: Any) -> str:
    try:
        text = _SHORT.repr(record)
    except (ValueError, RecursionError):  # an int too long to print
        text = f"<{type(record).__name__} too large to store>"
    return str(redacted(text))
