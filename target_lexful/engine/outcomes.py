"""What becomes of a record: written (the id map, the counts) or rejected (the rejects file).

An outcome also sets off what follows it: the source ids just settled, whose waiting records
the engine releases next (``take_fresh``); with ``on_record_error=fail``, the stop after the
first reject; in a dry run, the plan's lines (``PlanLines``).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from connector_core.target import (
    IdMap,
    OutcomeBook,
    PlanLines,
    RecordError,
    Rejects,
    Stats,
    StopOnReject,
    redacted,
)
from target_lexful.engine.model import (
    CREATE,
    DELETE,
    DRY_RUN_ID_PREFIX,
    UNCHANGED,
    Job,
    Plan,
)
from target_lexful.engine.versions import Versions

__all__ = ["Outcomes", "PlanLines", "StopOnReject"]  # the last two: the core's, shared

_ACTION_COUNT = {CREATE: "created", UNCHANGED: "unchanged", DELETE: "deleted"}


class Outcomes(OutcomeBook):
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
        super().__init__(
            ids=ids,
            rejects=rejects,
            stats=stats,
            plan_lines=plan_lines,
            fail_on_reject=fail_on_reject,
            dry_run=dry_run,
        )
        self._logger = logger
        self._versions = versions

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
        self._mark_fresh(*job.keys)

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
            self._mark_fresh(*job.keys)
        else:  # a record of no known key: it may be one of the set a sweep would delete
            self._versions.unknown_reject(stream)
        self.book_reject(stream, as_received(record), error, _describe(record))


# What the SDK adds to every record (its own values, whatever the source sent), but
# _sdc_deleted_at, which it keeps from the source (a None: the source sent none).
_SDK_ADDED = frozenset(
    {
        "_sdc_extracted_at",
        "_sdc_received_at",
        "_sdc_batched_at",
        "_sdc_sequence",
        "_sdc_table_version",
        "_sdc_sync_started_at",
    }
)


def as_received(record: Any) -> Any:
    """A rejected record as the source sent it: without the fields the SDK added."""
    if not isinstance(record, dict):
        return record
    return {
        k: v
        for k, v in record.items()
        if k not in _SDK_ADDED and not (k == "_sdc_deleted_at" and v is None)
    }


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
