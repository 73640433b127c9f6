"""The rejects file: one JSON line per record that could not be written, with the reason."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from target_lexful.values import redacted

DEFAULT_PATH = Path(".target-lexful") / "rejects.jsonl"


class Rejects:
    """Appends rejects as ``{"stream", "record", "error", "status", "rejected_at"}`` lines.

    Each line is flushed when written: a reject counts as "handled" for STATE, so it must be
    on disk before the STATE that covers it is emitted.
    """

    def __init__(self, path: str | Path | None, *, enabled: bool = True) -> None:
        self.path = Path(path) if path else DEFAULT_PATH
        self.enabled = enabled
        self._lock = threading.Lock()
        self._file: Any = None

    def write(self, stream: str | None, record: Any, error: str, status: int | None) -> None:
        line = json.dumps(
            {
                "stream": stream,
                "record": redacted(record),
                "error": error,
                "status": status,
                "rejected_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            },
            default=str,
        )
        with self._lock:
            if not self.enabled:
                return
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
