"""What becomes of a record: written (the id map, the counts) or rejected (the rejects file).

An outcome also sets off what follows it: the source ids just settled, whose waiting records
the engine releases next (``take_fresh``); with ``on_record_error=fail``, the stop after the
first reject; in a dry run, the plan's lines (``PlanLines``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from connector_core.target.errors import RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.rejects import Rejects
from connector_core.target.stats import Stats
from connector_core.target.values import redacted, stable_hash
from target_lexful.engine.model import (
    CREATE,
    DELETE,
    DRY_RUN_ID_PREFIX,
    UNCHANGED,
    Job,
    Plan,
)
from target_lexful.engine.versions import Versions

_ACTION_COUNT = {CREATE: "created", UNCHANGED: "unchanged", DELETE: "deleted"}
_SENT_AT = {
    "_sdc_extracted_at",
    "_sdc_received_at",
    "_sdc_batched_at",
    "_sdc_sequence",
    "_sdc_sync_started_at",
}


class StopOnReject(Exception):
    """``on_record_error=fail``: the first rejected record stops the run."""


class PlanLines:
    """A dry run's plan: one logged line per create, update, delete or reject it would make."""

    def __init__(self, logger: logging.Logger) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._logger = logger

    def add(self, action: str, stream: str | None, what: str, why: str) -> None:
        line = f"dry-run: would {action} {stream or '(input)'} {what}" + (f": {why}" if why else "")
        with self._lock:
            self.lines.append(line)
        self._logger.info("%s", line)


class Outcomes:
    """Records each record's outcome where it belongs; thread-safe (plans run on the pool)."""

    def __init__(
        self,
        *,
        ids: IdMap,
        rejects: Rejects,
        stats: Stats,
        versions: Versions,
        plan_lines: PlanLines,
        fail_on_reject: bool,
        dry_run: bool,
        logger: logging.Logger,
    ) -> None:
        self._logger = logger
        self._ids = ids
        self._rejects = rejects
        self._stats = stats
        self._versions = versions
        self._plan_lines = plan_lines
        self._fail_on_reject = fail_on_reject
        self._dry_run = dry_run
        self._lock = threading.Lock()
        self._fresh: set[str] = set()  # source ids written or rejected since the last release
        self._stop: StopOnReject | None = None

    def written(self, plan: Plan, target_id: str | None) -> None:
        """``plan`` is done (or was unchanged): its Lexful id goes in the id map."""
        job = plan.job
        assert target_id is not None
        self._ids.done(
            job.stream,
            job.source_id,
            job.kind,
            plan.asset_type,
            target_id,
            plan.body_hash,
            version=_version(job.record),
            parent_id=plan.parent_id,
        )
        self._stats.add(job.stream, _count_of(plan))
        self._mark_fresh(job)

    def skipped(self, plan: Plan, why: str) -> None:
        """Nothing to write (deleted in the source and never copied, never uploaded)."""
        job = plan.job
        self._ids.unpark(job.stream, job.source_id)  # it waits for nothing any more
        self._stats.add(job.stream, "skipped")
        self._logger.info("%s %s skipped: %s", job.stream, _describe(job.record), why)
        if self._dry_run:
            self._plan_lines.add("skip", job.stream, _describe(job.record), why)

    def would_write(self, plan: Plan) -> None:
        """dry_run: ``plan`` goes in the plan, and in the scratch id map as if written."""
        self._plan_lines.add(plan.action, plan.job.stream, _describe(plan.job.record), "")
        self.written(plan, plan.target_id or f"{DRY_RUN_ID_PREFIX}{uuid.uuid4()}")

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        """``record`` cannot be written: the rejects file (once), the id map, the counts."""
        if self._first_reject(stream, record, error):
            self._rejects.write(stream, record, error.message, error.status)
        self._stats.add(stream or "(input)", "rejected")
        if job is not None:
            version = _version(job.record)
            self._ids.rejected(
                job.stream,
                job.source_id,
                job.kind,
                error.message,
                version=version,
                asset_type=job.route.asset_type,
            )
            self._mark_fresh(job)
        else:  # a record of no known key: it may be one of the set a sweep would delete
            self._versions.unknown_reject(stream)
        if self._dry_run:
            self._plan_lines.add("reject", stream, _describe(record), error.message)
        if self._fail_on_reject and self._stop is None:
            where = f"stream {stream!r}" if stream else "input"
            self._stop = StopOnReject(f"{where}: record rejected: {error.message}")

    def take_fresh(self) -> set[str]:
        """The keys (``Job.keys``) written or rejected since the last call: what waiting
        records await."""
        with self._lock:
            fresh, self._fresh = self._fresh, set()
        return fresh

    def raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise self._stop

    def _first_reject(self, stream: str | None, record: Any, error: RecordError) -> bool:
        if isinstance(record, dict):  # the same record sent again differs only in these
            record = {k: v for k, v in record.items() if k not in _SENT_AT}
        try:
            digest = stable_hash([stream, redacted(record), error.message])
        except (RecursionError, TypeError, ValueError):
            return True  # not hashable as JSON: written, at worst twice
        return self._ids.first_reject(digest)

    def _mark_fresh(self, job: Job) -> None:
        with self._lock:
            self._fresh.update(job.keys)


def _describe(record: Any) -> str:
    """A record in a plan line: its id and name, never a presigned signature."""
    if not isinstance(record, dict):
        return "(unreadable record)"
    safe = redacted(record)
    shown = {k: safe[k] for k in ("id", "name", "slug", "asset_id", "first_name") if k in safe}
    return str(shown or {k: safe[k] for k in list(safe)[:3]})


def _count_of(plan: Plan) -> str:
    return _ACTION_COUNT.get(plan.action, "updated")


def _version(record: dict[str, Any]) -> int | None:
    """The ACTIVATE_VERSION a record came with (the SDK puts the message's into the record)."""
    version = record.get("_sdc_table_version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None
