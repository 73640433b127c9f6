"""The bookkeeping of outcomes both targets share (``OutcomeBook``): a reject written to the
rejects file once across a resume and counted, a dry run's plan lines, the stop that
``on_record_error=fail`` makes of the first reject, and the source ids just settled (what
waiting records await).

Each engine's own ``outcomes`` subclasses it with what its API's id map entries hold.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from singer_sdk.exceptions import MissingKeyPropertiesError

from connector_core.target.errors import KeylessRecord, RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.rejects import Rejects
from connector_core.target.stats import Stats
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


class KeylessStop(StopOnReject, MissingKeyPropertiesError):
    """``on_record_error=fail`` on a record with no key: the SDK's error for it."""


def stop_for(stream: str | None, error: RecordError) -> StopOnReject:
    """The stop ``on_record_error=fail`` makes of a reject, naming where it was."""
    where = f"stream {stream!r}" if stream else "input"
    stop = KeylessStop if isinstance(error, KeylessRecord) else StopOnReject
    return stop(f"{where}: record rejected: {error.message}")


class OutcomeBook:
    """Where outcomes go, thread-safe (writes finish on the pool). A subclass adds
    ``written`` and the id map's side of a reject."""

    def __init__(
        self,
        *,
        ids: IdMap,
        rejects: Rejects,
        stats: Stats,
        plan_lines: PlanLines,
        fail_on_reject: bool,
        dry_run: bool,
    ) -> None:
        self._ids = ids
        self._rejects = rejects
        self._stats = stats
        self._plan_lines = plan_lines
        self._fail_on_reject = fail_on_reject
        self._dry_run = dry_run
        self._lock = threading.Lock()
        self._fresh: set[str] = set()  # source ids written or rejected since the last release
        self._stop: StopOnReject | None = None

    def book_reject(self, stream: str | None, record: Any, error: RecordError, what: str) -> None:
        """The rejects file (once across a resume), the count, the plan line (``what``: the
        record as a plan line shows it), the stop."""
        if first_reject(self._ids, stream, record, error):
            self._rejects.write(stream, record, error.message, error.status)
        self._stats.add(stream or "(input)", "rejected")
        if self._dry_run:
            self._plan_lines.add("reject", stream, what, error.message)
        if self._fail_on_reject and self._stop is None:
            self._stop = stop_for(stream, error)

    def take_fresh(self) -> set[str]:
        """The source ids written or rejected since the last call: what waiting records await."""
        with self._lock:
            fresh, self._fresh = self._fresh, set()
        return fresh

    def raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise self._stop

    def _mark_fresh(self, *keys: str) -> None:
        """``keys``: what a waiting record awaits (a source id, or its namespaced forms)."""
        with self._lock:
            self._fresh.update(keys)
