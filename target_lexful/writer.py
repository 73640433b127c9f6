"""The write engine behind every sink: the waves of a batch, waiting records, rejects.

A batch of records goes through:

1. route (``routing``): which kind of Lexful record the stream writes (organizations, an
   asset type, ...);
2. resolve (``references``): each reference (organization_id, parent_id, references.*, a
   link's or a file's asset ids) is looked up in the id map, then among the ids of the target
   account. A record whose reference is later in the same batch waits for the next wave; one
   whose reference is not written yet waits in the id-map database until it is (or until the
   end of input), and holds back the STATE messages read after it;
3. plan (``handlers``, on the ``pool``): create, update or unchanged, reading what is needed;
4. execute (``handlers``, on the ``pool``, bounded by max_concurrency and the rate budget):
   the writes;
5. record: the id map, the counts (``stats``), the rejects; records waiting on what was just
   written are released.

At the end of input, a links or files stream that received ACTIVATE_VERSION loses in Lexful
what the target wrote for it and the run's full set no longer holds (``versions``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lexful_api import LexfulClient
from target_lexful import routing
from target_lexful.catalog import Catalog
from target_lexful.file_sources import FileSources
from target_lexful.handlers import HANDLERS, Context, Handler
from target_lexful.id_map import IdMap, Waiting
from target_lexful.model import (
    CHILD_KINDS,
    CREATE,
    DELETE,
    UNCHANGED,
    Job,
    Plan,
    RecordError,
    Ref,
    Route,
)
from target_lexful.pool import Fatal, Pool
from target_lexful.references import References
from target_lexful.rejects import Rejects
from target_lexful.stats import Stats
from target_lexful.values import json_safe, redacted, stable_hash
from target_lexful.versions import Versions

T = TypeVar("T")
_ACTION_COUNT = {CREATE: "created", UNCHANGED: "unchanged"}
_SENT_AT = {
    "_sdc_extracted_at",
    "_sdc_received_at",
    "_sdc_batched_at",
    "_sdc_sequence",
    "_sdc_sync_started_at",
}


class StopOnReject(Exception):
    """``on_record_error=fail``: the first rejected record stops the run."""


@dataclass
class Settings:
    stream_asset_types: dict[str, str] = field(default_factory=dict)
    match_on: dict[str, list[str]] = field(default_factory=dict)
    create_asset_types: bool = False
    fail_on_reject: bool = False
    dry_run: bool = False
    max_concurrency: int = 8
    file_sources: FileSources = field(default_factory=FileSources)


class Writer:
    def __init__(
        self,
        *,
        client: LexfulClient,
        ids: IdMap,
        rejects: Rejects,
        settings: Settings,
        logger: logging.Logger,
    ) -> None:
        self.client = client
        self.ids = ids
        self.rejects = rejects
        self.settings = settings
        self.logger = logger
        self.catalog = Catalog(client)
        context = Context(
            client,
            ids,
            self.catalog,
            settings.match_on,
            settings.create_asset_types,
            logger,
            dry_run=settings.dry_run,
            file_sources=settings.file_sources,
        )
        self.handlers: dict[str, Handler] = {h.kind: h(context) for h in HANDLERS}
        self.stats = Stats()
        self.plan_lines: list[str] = []
        self._pool = Pool(settings.max_concurrency)
        self._references = References(client, ids, self._pool)
        self._lock = threading.Lock()
        self._fresh: set[str] = set()  # source ids written or rejected since the last release
        self._stop: StopOnReject | None = None
        self.versions = Versions(
            ids, self.stats, logger, plan_line=self._plan_line if settings.dry_run else None
        )

    # -- the entry points ---------------------------------------------------------------------

    def write_batch(
        self,
        stream: str,
        key_properties: list[str],
        records: Iterable[dict[str, Any]],
        positions: Iterable[int],
    ) -> None:
        """Write, reject or park every record; ``positions`` are their places in the input."""
        started = time.monotonic()
        jobs = []
        try:
            route = self.route(stream)
        except RecordError as exc:
            for record in records:
                self.reject(stream, record, exc)
        else:
            for record, position in zip(records, positions, strict=True):
                job = self._job(stream, route, key_properties, record, position)
                if job is not None:
                    jobs.append(job)
            if self.ids.waiting_count():
                for job in jobs:  # this copy supersedes one parked by an earlier batch or run
                    self.ids.unpark(job.stream, job.source_id)
            self._run(jobs)
            self._release()
        self.stats.add(stream, "seconds", time.monotonic() - started)
        self._raise_if_stopped()

    def activate_version(self, stream: str, version: int) -> None:
        """ACTIVATE_VERSION: for links and files, the run's records are the stream's full set."""
        try:
            kind = self.route(stream).kind
        except RecordError as exc:
            self.logger.warning("ACTIVATE_VERSION of %r ignored: %s", stream, exc.message)
            return
        self.versions.activate(stream, kind, version)

    def finish(self) -> None:
        """End of input: release what can be, then reject what still waits, naming why.

        Then, every record settled and the input read to its end (never after an interrupted
        run), what a versioned links or files stream no longer holds is deleted.
        """
        self._release()
        leftovers = self.ids.waiting_on(None)
        if leftovers:
            self._run([j for j in map(self._job_from_waiting, leftovers) if j], final=True)
        self._raise_if_stopped()
        self.versions.sweep(self.handlers, self._pool)
        self.ids.finished()

    def close(self) -> None:
        self._pool.close()

    def stop(self) -> None:
        """Interrupted: writes not yet started are dropped (a resume sends them again)."""
        self._pool.cancel()

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        if self._first_reject(stream, record, error):
            self.rejects.write(stream, record, error.message, error.status)
        self.stats.add(stream or "(input)", "rejected")
        if job is not None:
            version = _version(job.record)
            self.ids.rejected(job.stream, job.source_id, job.kind, error.message, version=version)
            self._mark_fresh(job.source_id)
        else:  # a record of no known key: it may be one of the set a sweep would delete
            self.versions.unknown_reject(stream)
        if self.settings.dry_run:
            self._plan_line("reject", stream, _describe(record), error.message)
        if self.settings.fail_on_reject and self._stop is None:
            where = f"stream {stream!r}" if stream else "input"
            self._stop = StopOnReject(f"{where}: record rejected: {error.message}")

    def _first_reject(self, stream: str | None, record: Any, error: RecordError) -> bool:
        if isinstance(record, dict):  # the same record sent again differs only in these
            record = {k: v for k, v in record.items() if k not in _SENT_AT}
        try:
            digest = stable_hash([stream, redacted(record), error.message])
        except (RecursionError, TypeError, ValueError):
            return True  # not hashable as JSON: written, at worst twice
        return self.ids.first_reject(digest)

    # -- routing and jobs ---------------------------------------------------------------------

    def route(self, stream: str) -> Route:
        return routing.route(stream, self.settings.stream_asset_types, self.catalog)

    def _job(
        self,
        stream: str,
        route: Route,
        key_properties: list[str],
        record: dict[str, Any],
        position: int,
    ) -> Job | None:
        handler = self.handlers[route.kind]
        try:
            source_id = handler.source_id(record, key_properties)
            job = Job(stream, route, source_id, record, key_properties, position=position)
            job.refs = handler.refs(job)
        except RecordError as exc:
            self.reject(stream, record, exc)
            return None
        return job

    def _job_from_waiting(self, row: Waiting) -> Job | None:
        try:
            route = self.route(row.stream)
        except RecordError as exc:
            job = None
            self.reject(row.stream, row.record, exc)
        else:
            job = self._job(row.stream, route, row.key_properties, row.record, row.position)
        if job is None:  # rejected: it waits no more
            self.ids.unpark(row.stream, row.source_id)
        return job

    # -- the waves ----------------------------------------------------------------------------

    def _run(self, jobs: list[Job], *, final: bool = False) -> None:
        """Write ``jobs`` in waves: each wave the records whose references are all written."""
        pending = jobs
        while pending:
            self._references.look_up(pending)
            ready, later, missing = self._sort_wave(pending)
            if not ready:
                # Nothing can move: what waits on this batch waits on a record that waits too.
                missing += [(j, self._unresolved(j)) for j in later]
                later = []
            for job, waits in missing:
                self._wait(job, waits, final=final)
            self._execute(ready)
            pending = later

    def _sort_wave(
        self, pending: list[Job]
    ) -> tuple[list[Job], list[Job], list[tuple[Job, list[Ref]]]]:
        """Ready now; later in this batch; missing (to park until their references exist)."""
        keys = {j.source_id for j in pending}
        ready, later, missing = [], [], []
        seen: set[tuple[str, str]] = set()
        for job in pending:
            if (job.stream, job.source_id) in seen:
                later.append(job)  # the same record twice: the second copy after the first
                continue
            try:
                waits = self._references.resolve(job, keys)
            except RecordError as exc:
                self.reject(job.stream, job.record, exc, job)
                continue
            seen.add((job.stream, job.source_id))
            if not waits:
                ready.append(job)
            elif any(r.source_id in keys and r.source_id != job.source_id for r in waits):
                later.append(job)  # its reference is in this batch: next wave
            else:
                missing.append((job, waits))
        return ready, later, missing

    def _unresolved(self, job: Job) -> list[Ref]:
        return [r for r in job.refs if r.source_id not in job.resolved]

    def _wait(self, job: Job, waits: list[Ref], *, final: bool) -> None:
        if final:
            names = ", ".join(f"{r.field}={r.source_id}" for r in waits)
            msg = (
                f"unresolved reference(s) at end of input: {names} (not in the input nor in Lexful)"
            )
            self.reject(job.stream, job.record, RecordError(msg), job)
            return
        missing = [{"field": r.field, "id": r.source_id} for r in waits]
        self.ids.park(
            job.stream,
            job.source_id,
            json_safe(job.record),
            job.key_properties,
            missing,
            job.position,
        )

    def _release(self) -> None:
        """Run the parked records whose references were just written, until none is left."""
        while True:
            with self._lock:
                fresh, self._fresh = self._fresh, set()
            if not fresh or not self.ids.waiting_count():
                return
            rows = self.ids.waiting_on(fresh)
            self._run([j for j in map(self._job_from_waiting, rows) if j])

    # -- plan and execute ---------------------------------------------------------------------

    def _execute(self, jobs: list[Job]) -> None:
        # One route at a time: a lookup or a bulk call is about one resource (one asset type).
        by_route: dict[Route, list[Job]] = {}
        for job in jobs:
            by_route.setdefault(job.route, []).append(job)
        for route, group in by_route.items():
            handler = self.handlers[route.kind]
            plans = self._plan(handler, group)
            for plan in [p for p in plans if p.action == UNCHANGED]:
                self._record(plan, plan.target_id)
            writes = [p for p in plans if p.action != UNCHANGED]
            if self.settings.dry_run:
                for plan in writes:
                    self._plan_line(plan.action, plan.job.stream, _describe(plan.job.record), "")
                    self._record(plan, plan.target_id or f"dry-run-{uuid.uuid4()}")
            else:
                self._write(handler, writes)

    def _plan(self, handler: Handler, jobs: list[Job]) -> list[Plan]:
        """The plans of ``jobs``; a job whose plan is a record error is rejected instead."""
        self._pool.map(handler.prefetch, _chunks(jobs, 100))
        plans: list[Plan] = []
        for job, outcome in zip(jobs, self._pool.map(handler.plan, jobs), strict=True):
            if isinstance(outcome, RecordError):
                self.reject(job.stream, job.record, outcome, job)
            else:
                plans.append(outcome)
        return plans

    def _write(self, handler: Handler, writes: list[Plan]) -> None:
        groups = handler.groups(writes)
        outcomes = self._pool.map(handler.execute, groups, record_first=True)
        fatal = None
        for chunk, results in zip(groups, outcomes, strict=True):
            if isinstance(results, Fatal):
                fatal = fatal or results
                continue
            errors = results if isinstance(results, list) else [results] * len(chunk)
            for plan, error in zip(chunk, errors, strict=True):
                if error is None:
                    self._record(plan, plan.result_id)
                else:
                    self.reject(plan.job.stream, plan.job.record, error, plan.job)
        if fatal is not None:
            raise fatal.error  # after what did get written is in the id map

    def _record(self, plan: Plan, target_id: str | None) -> None:
        job = plan.job
        assert target_id is not None
        self.ids.done(
            job.stream,
            job.source_id,
            job.kind,
            plan.asset_type,
            target_id,
            plan.body_hash,
            version=_version(job.record),
            parent_id=plan.parent_id,
        )
        self.stats.add(job.stream, _count_of(plan))
        self._mark_fresh(job.source_id)

    # -- bookkeeping --------------------------------------------------------------------------

    def _mark_fresh(self, source_id: str) -> None:
        with self._lock:
            self._fresh.add(source_id)

    def _plan_line(self, action: str, stream: str | None, what: str, why: str) -> None:
        line = f"dry-run: would {action} {stream or '(input)'} {what}" + (f": {why}" if why else "")
        with self._lock:
            self.plan_lines.append(line)
        self.logger.info("%s", line)

    def _raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise self._stop


def _count_of(plan: Plan) -> str:
    # An asset deleted in the source counts as updated (it is soft-deleted); a link or a
    # file is gone, and counts as deleted.
    if plan.action == DELETE and plan.job.kind in CHILD_KINDS:
        return "deleted"
    return _ACTION_COUNT.get(plan.action, "updated")


def _version(record: dict[str, Any]) -> int | None:
    """The ACTIVATE_VERSION a record came with (the SDK puts the message's into the record)."""
    version = record.get("_sdc_table_version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _describe(record: Any) -> str:
    if not isinstance(record, dict):
        return "(unreadable record)"
    safe = redacted(record)
    shown = {k: safe[k] for k in ("id", "name", "slug", "asset_id", "first_name") if k in safe}
    return str(shown or {k: safe[k] for k in list(safe)[:3]})
