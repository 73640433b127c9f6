"""The bookkeeping of outcomes both targets share: a dry run's plan lines, the stop that
``on_record_error=fail`` makes of the first reject, and whether a reject is new (written to
the rejects file once across a resume).

Each engine's own ``outcomes`` records its API's outcomes (id map entries, counts) with these.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from connector_core.target.errors import RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.values import redacted, stable_hash

#: What the SDK adds to a record as it is sent: the same record sent again differs in these.
SENT_AT = frozenset(
    {
        "_sdc_extracted_at",
        "_sdc_received_at",
        "_sdc_batched_at",
        "_sdc_sequence",
        "_sdc_sync_started_at",
    }
)


class StopOnReject(Exception):
    """``on_record_error=fail``: the first rejected record stops the run."""


class PlanLines:
    """A dry run's plan: one logged line per create, update, delete or reject it would make."""

    def __init__(self, logger: logging.Logger) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._logger = logger

    def add(self, action: str, stream: str | None, what: str, why: str = "") -> None:
        line = f"dry-run: would {action} {stream or '(input)'} {what}" + (f": {why}" if why else "")
        with self._lock:
            self.lines.append(line)
        self._logger.info("%s", line)


def first_reject(ids: IdMap, stream: str | None, record: Any, error: RecordError) -> bool:
    """Whether this reject is new to the id map (a resumed run sees the same ones again)."""
    if isinstance(record, dict):
        record = {k: v for k, v in record.items() if k not in SENT_AT}
    try:
        digest = stable_hash([stream, redacted(record), error.message])
    except (RecursionError, TypeError, ValueError):
        return True  # not hashable as JSON: written, at worst twice
    return ids.first_reject(digest)


def stop_for(stream: str | None, error: RecordError) -> StopOnReject:
    """The stop ``on_record_error=fail`` makes of a reject, naming where it was."""
    where = f"stream {stream!r}" if stream else "input"
    return StopOnReject(f"{where}: record rejected: {error.message}")
