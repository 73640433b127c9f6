"""What becomes of a record: written (the id map, the counts) or rejected (the rejects file),
with the core's shared bookkeeping (``connector_core.target.outcomes``).

An outcome also sets off what follows it: the source ids just settled, whose waiting records
the engine releases next (``take_fresh``); with ``on_record_error=fail``, the stop after the
first reject; in a dry run, the plan's lines.
"""

from __future__ import annotations

from typing import Any

from connector_core.target import OutcomeBook, RecordError
from target_lightfield.engine.model import Job, Outcome


class Outcomes(OutcomeBook):
    """Records each record's outcome where it belongs (the core's ``OutcomeBook``)."""

    def __init__(self, **kwargs: Any) -> None:
        """The core's arguments; and the records this run rejected, by (object type, id)."""
        super().__init__(**kwargs)
        self.rejected_now: set[tuple[str, str]] = set()

    def written(self, job: Job, outcome: Outcome) -> None:
        if outcome.target_id is not None:
            self._ids.done(
                job.stream,
                job.source_id,
                job.route.object_type,
                None,
                outcome.target_id,
                outcome.digest,
            )
        self._stats.add(job.stream, outcome.action)
        if job.omitted:
            self._stats.add(job.stream, "omitted_members", len(job.omitted))
        if job.dropped:
            self._stats.add(job.stream, "omitted_references", len(job.dropped))
        if job.dangling:
            self._stats.add(job.stream, "dangling_references", len(job.dangling))
        self._mark_fresh(job.source_id)

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        """``record`` cannot be written: the id map, and the core's bookkeeping."""
        if job is not None:
            with self._lock:
                self.rejected_now.add((job.route.object_type, job.source_id))
            self._ids.rejected(job.stream, job.source_id, job.route.object_type, error.message)
            self._mark_fresh(job.source_id)
        self.book_reject(stream, record, error, job.source_id if job else "(unreadable record)")
