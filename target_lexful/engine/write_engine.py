"""The write engine every sink shares: a batch in waves, and the records that wait.

The path a record takes is drawn in this package's docstring (``target_lexful.engine``).
``LexfulWriteEngine`` opens what it writes with (the API client, the id map, the rejects file, the
worker pool) and closes it in ``close()``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from contextlib import ExitStack, closing
from typing import Any, TypeVar

from connector_core.target import (
    Fatal,
    IdMap,
    Pool,
    RecordError,
    Rejects,
    Stats,
    Waiting,
    Waves,
    WaveSteps,
    record_errors_from,
)
from lexful_api import LexfulHTTPError
from lexful_api.settings import client_from_config
from target_lexful.engine import routing
from target_lexful.engine.destination_cache import DestinationCache
from target_lexful.engine.extra_fields import ExtraFields
from target_lexful.engine.handlers import HANDLERS, Handler, HandlerDeps
from target_lexful.engine.model import (
    ASSET,
    SKIP,
    SPECIAL_STREAMS,
    UNCHANGED,
    Job,
    Plan,
    Route,
    SettingRecordError,
)
from target_lexful.engine.outcomes import Outcomes, PlanLines
from target_lexful.engine.references import References
from target_lexful.engine.settings import EngineSettings
from target_lexful.engine.versions import Versions

T = TypeVar("T")


class LexfulWriteEngine:
    """Writes, rejects or parks every record it is given; owns what it writes with.

    Closed by ``close()`` or by leaving a ``with`` block: the pool, the rejects file, the id
    map and the API client, in that order, once.
    """

    def __init__(
        self, config: Mapping[str, Any], *, user_agent: str, logger: logging.Logger
    ) -> None:
        self.settings = settings = EngineSettings.from_config(config)
        self.logger = logger
        with ExitStack() as opened:
            own = opened.enter_context
            self.client = own(
                closing(
                    client_from_config(
                        config, user_agent=user_agent, concurrency=settings.max_concurrency
                    )
                )
            )
            self.ids = own(
                closing(
                    IdMap(settings.id_map_path, settings.account_id, scratch_copy=settings.dry_run)
                )
            )
            self.rejects = own(
                closing(Rejects(settings.rejects_path, enabled=not settings.dry_run))
            )
            self._pool = own(
                closing(
                    Pool(
                        settings.max_concurrency,
                        record_errors_from(LexfulHTTPError),
                        "lexful-write",
                    )
                )
            )
            self._owned = opened.pop_all()  # all opened: kept open until close()
        self.destination = DestinationCache(self.client)
        deps = HandlerDeps(
            self.client,
            self.ids,
            self.destination,
            settings.match_on,
            settings.create_asset_types,
            logger,
            dry_run=settings.dry_run,
            file_sources=settings.file_sources,
            extra_fields=ExtraFields(settings.extra_fields, logger),
            create_users=settings.create_users,
            transfer_ownership_to=settings.transfer_ownership_to,
        )
        self.handlers: dict[str, Handler] = {h.kind: h(deps) for h in HANDLERS}
        self.stats = Stats()
        self.lost_streams: dict[str, str] = {}  # stream -> why every record of it is rejected
        self._setting_rejects: dict[str, str] = {}  # stream -> a setting's reason to reject
        self._plan_lines = PlanLines(logger)
        self._references = References(self.client, self.ids, self._pool)
        self.versions = Versions(
            self.ids,
            self.stats,
            logger,
            plan_line=self._plan_lines.add if settings.dry_run else None,
        )
        self._outcomes = Outcomes(
            ids=self.ids,
            rejects=self.rejects,
            stats=self.stats,
            versions=self.versions,
            plan_lines=self._plan_lines,
            fail_on_reject=settings.fail_on_reject,
            dry_run=settings.dry_run,
            logger=logger,
        )
        steps = WaveSteps(
            resolve=self._references.resolve,
            look_up=self._references.look_up,
            execute=self._execute,
            reject=lambda job, error: self.reject(job.stream, job.record, error, job),
            from_waiting=self._job_from_waiting,
            take_fresh=self._outcomes.take_fresh,
            job_keys=lambda job: job.keys,
            ref_keys=lambda ref: ref.keys,
            resolved_key=lambda ref: ref.key,
        )
        self._waves: Waves[Job] = Waves(self.ids, steps, "Lexful")

    # -- what it owns ---------------------------------------------------------------------------

    def __enter__(self) -> LexfulWriteEngine:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pool, the rejects file, the id map and the client (again: nothing)."""
        self._owned.close()

    def stop(self) -> None:
        """Interrupted: writes not yet started are dropped (a resume sends them again)."""
        self._pool.cancel()

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run

    @property
    def fail_on_reject(self) -> bool:
        return self.settings.fail_on_reject

    @property
    def plan_lines(self) -> list[str]:
        """dry_run: the plan, a line per create, update, delete or reject it would make."""
        return self._plan_lines.lines

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
            self.lost_streams.setdefault(stream, exc.message)  # the run ends non-zero
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
            self._waves.run(jobs)
            self._waves.release()
        self.stats.add(stream, "seconds", time.monotonic() - started)
        self._outcomes.raise_if_stopped()

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
        self._waves.finish()
        self._outcomes.raise_if_stopped()
        self.versions.sweep(self.handlers, self._pool)
        self.ids.finished()
        self._lose_streams_a_setting_rejected()

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        """``record`` cannot be written (a line the reader refused, too)."""
        if stream is not None and isinstance(error, SettingRecordError):
            self._setting_rejects.setdefault(stream, error.message)
            self.stats.add(stream, SETTING_REJECTS)
        self._outcomes.reject(stream, record, error, job)

    def _lose_streams_a_setting_rejected(self) -> None:
        """A stream whose every record a setting rejected (a match_on key no record has):
        the setting is wrong, so the run ends non-zero, as for a stream that maps to nothing."""
        for stream, why in self._setting_rejects.items():
            row = self.stats.streams.get(stream, {})
            if row.get(SETTING_REJECTS, 0) == row.get("rejected", 0) == _settled(row):
                self.lost_streams.setdefault(stream, why)
            row.pop(SETTING_REJECTS, None)  # not a count of the summary

    # -- routing and jobs ---------------------------------------------------------------------

    def setting_errors(self) -> list[str]:
        """What the settings name that the account does not have (before any record is read).

        With create_asset_types a type may come with the input's asset_types stream: its
        stream is then checked when its first record arrives.
        """
        if self.settings.create_asset_types:
            return []
        errors = [
            f"stream_asset_types: {stream!r} -> {name!r}: no asset type {name!r} in the "
            "account (nor organizations, related_assets, files, ...)"
            for stream, name in sorted(self.settings.stream_asset_types.items())
            if name not in SPECIAL_STREAMS and self.destination.asset_type(name) is None
        ]
        # match_on names a stream of stream_asset_types, or what a stream writes to.
        known = {*self.settings.stream_asset_types, *SPECIAL_STREAMS, ASSET}
        errors += [
            f"match_on: {name!r} is no stream of stream_asset_types, no asset type of the "
            "account (nor its stream name) and not organizations, users, ..."
            for name in sorted(self.settings.match_on)
            if name not in known
            and self.destination.asset_type(name) is None
            and self.destination.type_for_stream(name) is None
        ]
        return errors

    def route(self, stream: str) -> Route:
        return routing.route(stream, self.settings.stream_asset_types, self.destination)

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
            source_id = handler.source_id(stream, route, record, key_properties)
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
                self._outcomes.written(plan, plan.target_id)
            for plan in [p for p in plans if p.action == SKIP]:
                self._outcomes.skipped(plan, str(plan.extra))
            writes = [p for p in plans if p.action not in (UNCHANGED, SKIP)]
            if self.settings.dry_run:
                for plan in writes:
                    self._outcomes.would_write(plan)
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
                    self._outcomes.written(plan, plan.result_id)
                else:
                    self.reject(plan.job.stream, plan.job.record, error, plan.job)
        if fatal is not None:
            raise fatal.error  # after what did get written is in the id map


SETTING_REJECTS = "rejected by a setting"  # counted apart, then dropped from the summary


def _settled(row: Mapping[str, float]) -> float:
    return sum(row.get(k, 0) for k in ("created", "updated", "unchanged", "deleted", "skipped")) + (
        row.get("rejected", 0)
    )


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
