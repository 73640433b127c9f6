"""What becomes of a record: written (the id map, the counts) or rejected (the rejects file),
with the core's shared bookkeeping (``connector_core.target.outcomes``).

An outcome also sets off what follows it: the source ids just settled, whose waiting records
the engine releases next (``take_fresh``); with ``on_record_error=fail``, the stop after the
first reject; in a dry run, the plan's lines.
"""

from __future__ import annotations

import threading
from typing import Any

from connector_core.target.errors import RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.outcomes import PlanLines, StopOnReject, first_reject, stop_for
from connector_core.target.rejects import Rejects
from connector_core.target.stats import Stats
from target_lightfield.engine.model import Job, Outcome


class Outcomes:
    """Records each record's outcome where it belongs; thread-safe."""

    def __init__(
        self,
        *,
        ids: IdMap,
        rejects: Rejects,
        stats: Stats,
        plan: PlanLines,
        fail_on_reject: bool,
        dry_run: bool,
    ) -> None:
        self._ids = ids
        self._rejects = rejects
        self._stats = stats
        self._plan = plan
        self._fail_on_reject = fail_on_reject
        self._dry_run = dry_run
        self._lock = threading.Lock()
        self._fresh: set[str] = set()
        self._stop: StopOnReject | None = None

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
        self._mark_fresh(job.source_id)

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        """``record`` cannot be written: the rejects file (once across a resume), the counts."""
        if first_reject(self._ids, stream, record, error):
            self._rejects.write(stream, record, error.message, error.status)
        self._stats.add(stream or "(input)", "rejected")
        if job is not None:
            self._ids.rejected(job.stream, job.source_id, job.route.object_type, error.message)
            self._mark_fresh(job.source_id)
        if self._dry_run:
            self._plan.add("reject", stream, job.source_id if job else "", error.message)
        if self._fail_on_reject and self._stop is None:
            self._stop = stop_for(stream, error)

    def take_fresh(self) -> set[str]:
        with self._lock:
            fresh, self._fresh = self._fresh, set()
        return fresh

    def raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise self._stop

    def _mark_fresh(self, source_id: str) -> None:
        with self._lock:
            self._fresh.add(source_id)
