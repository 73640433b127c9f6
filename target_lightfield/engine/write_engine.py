"""``LightfieldWriteEngine``: every record written, rejected or parked, never twice.

A record of tap-lightfield's shape (``fields`` {slug: value}, ``relationships`` {slug: [ids]})
becomes a ``Job`` whose references are its relationship ids. The core's waves (``Waves``)
write the jobs whose references are all in the id map and park the others until they are;
each job is written by the module of its kind on the pool.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from contextlib import ExitStack, closing
from typing import Any

from connector_core import client_options, max_concurrency, safe_files
from connector_core.target import (
    DONE,
    REJECTED,
    Entry,
    Fatal,
    FileSources,
    IdMap,
    PlanLines,
    Pool,
    RecordError,
    Rejects,
    Stats,
    Waiting,
    Waves,
    WaveSteps,
    json_safe,
    record_errors_from,
)
from lightfield_api import contract
from lightfield_api.errors import LightfieldError, LightfieldHTTPError
from lightfield_api.http import LightfieldClient
from target_lightfield.engine import deletes, emails, files, id_map_name, lists, match, records
from target_lightfield.engine.members import UNKNOWN, MemberDirectory
from target_lightfield.engine.model import TRASHED, Context, Job, Outcome, Ref, ref_ids
from target_lightfield.engine.outcomes import Outcomes
from target_lightfield.engine.routing import (
    EMAILS,
    FILES,
    LIST_MEMBERS,
    MEMBERS,
    Route,
    Routes,
    match_on_problem,
)
from target_lightfield.engine.settings import REJECT, EngineSettings

DEFAULT_DIR = id_map_name.DEFAULT_DIR


class LightfieldWriteEngine:
    """Writes, rejects or parks every record; owns the client, id map, rejects file and pool."""

    def __init__(
        self, config: Mapping[str, Any], *, user_agent: str, logger: logging.Logger
    ) -> None:
        self.logger = logger
        self.settings = EngineSettings.from_config(config)
        self.dry_run = self.settings.dry_run
        self.fail_on_reject = self.settings.fail_on_reject
        workspace = id_map_name.workspace_name(config)
        with ExitStack() as opened:
            own = opened.enter_context
            self.client = own(closing(_client(config, user_agent)))
            id_map = id_map_name.id_map_path(config, dry_run=self.dry_run)
            self.ids = own(closing(IdMap(id_map, workspace, scratch_copy=self.dry_run)))
            id_map_name.carry_over(self.ids.path, config, logger)
            self.workspace_name = workspace
            rejects = config.get("rejects_path") or (
                safe_files.default_dir(DEFAULT_DIR, "rejects_path") / "rejects.jsonl"
            )
            self.rejects = own(closing(Rejects(rejects, enabled=not self.dry_run)))
            size = max_concurrency(config)
            self._pool = own(
                closing(Pool(size, record_errors_from(LightfieldHTTPError), "lightfield-write"))
            )
            self._owned = opened.pop_all()
        self.stats = Stats()
        self.plan = PlanLines(logger)
        self.plan_lines = self.plan.lines
        self.outcomes = Outcomes(
            ids=self.ids,
            rejects=self.rejects,
            stats=self.stats,
            plan_lines=self.plan,
            fail_on_reject=self.fail_on_reject,
            dry_run=self.dry_run,
        )
        self.ctx = Context(
            client=self.client,
            ids=self.ids,
            settings=self.settings,
            members=MemberDirectory(self.client, self.settings.member_map),
            file_sources=FileSources.from_config(config),
            plan=self.plan,
            stats=self.stats,
            run=uuid.uuid4().hex,
        )
        self._routes = Routes(self.client)
        steps = WaveSteps(
            resolve=self._resolve,
            look_up=lambda _jobs: None,  # source ids are never workspace ids here
            execute=self._execute,
            reject=lambda job, error: self.reject(job.stream, job.record, error, job),
            from_waiting=self._from_waiting,
            take_fresh=self.outcomes.take_fresh,
            carry_over=True,  # a record rejected for a missing reference is retried later
        )
        self._waves: Waves[Job] = Waves(self.ids, steps, "the workspace")
        self._final = False

    # -- what the target calls ------------------------------------------------------------------

    def check_settings(self) -> None:
        """Before any input (the key is known good): a warning for each setting that cannot
        do what it says, once, rather than silently nothing."""
        for stream in sorted(self.settings.match_on):
            problem = match_on_problem(stream)
            if problem:
                self.logger.warning("match_on for stream %r is ignored: %s", stream, problem)
        if not self.settings.member_map:
            return
        try:
            unknown = self.ctx.members.unknown_targets()
        except LightfieldError as exc:  # a key without members:read: the members' own error
            self.logger.warning("member_map could not be checked: %s", exc)
            return
        for source, target in unknown:
            self.logger.warning(
                "member_map: %s -> %s, but %s is not a member of the workspace: "
                "relationships to %s are unknown members (unknown_members: %s)",
                source,
                target,
                target,
                source,
                self.settings.unknown_members,
            )

    def close(self) -> None:
        self._owned.close()

    def check_workspace(self) -> None:
        """The id map is this workspace's (``id_map_name.check_workspace``); once the key is
        known to work."""
        id_map_name.check_workspace(
            self.ids.path, self.workspace_name, self.ctx.members, self.logger
        )

    def check_match_on(self) -> None:
        """Before any record: ``ContractMismatch`` if the API ignores a ``match_on`` filter."""
        match.check_filters(self.ctx, self._routes)

    def stop(self) -> None:
        self._pool.cancel()

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
        for record, position in zip(records, positions, strict=True):
            job = self._job(stream, key_properties, json_safe(record), position)
            if job is not None:
                jobs.append(job)
        if self.ids.waiting_count():
            for job in jobs:  # this copy supersedes one parked by an earlier batch or run
                self.ids.unpark(job.stream, job.source_id)
        self._waves.run(jobs)
        self._waves.release()
        self.stats.add(stream, "seconds", time.monotonic() - started)
        self.outcomes.raise_if_stopped()

    def finish(self) -> None:
        self._final = True  # a reference rejected by an earlier run cannot arrive any more
        self._waves.finish()
        self.outcomes.raise_if_stopped()
        self.ids.finished()

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        self.outcomes.reject(stream, record, error, job)

    # -- jobs and references --------------------------------------------------------------------

    def _job(
        self, stream: str, keys: list[str], record: dict[str, Any], position: int
    ) -> Job | None:
        try:
            route = self._routes.route(stream)
            source_id = _source_id(route, record, keys)
        except RecordError as exc:
            self.reject(stream, record, exc)
            return None
        job = Job(stream, route, source_id, record, keys, position)
        if not job.deleted:  # a trashed record's references are not needed to trash it
            job.refs = _refs(route, record)
        return job

    def _from_waiting(self, row: Waiting) -> Job | None:
        job = self._job(row.stream, row.key_properties, row.record, row.position)
        if job is None:
            self.ids.unpark(row.stream, row.source_id)
        return job

    def _resolve(self, job: Job, batch: set[str]) -> list[Ref]:
        waits = []
        for ref in job.refs:
            key = (ref.kind, ref.source_id)
            if key in job.targets or key in job.omitted | job.dropped | job.dangling | job.deferred:
                continue
            if ref.soft:
                self._soft(job, ref)
                continue
            if ref.source_id in batch and ref.source_id != job.source_id:
                waits.append(ref)  # written in this batch: the next wave
                continue
            entry = self.ids.resolve(ref.source_id, (ref.kind,) if ref.kind else ())
            if entry is not None and ref.kind and entry.kind != ref.kind:
                entry = None  # another type's record of the same id: not this reference's
            if entry is not None and entry.state == DONE and entry.body_hash == TRASHED:
                self._dangling(job, ref)
            elif entry is not None and entry.state == DONE and entry.target_id == UNKNOWN:
                self._unknown_member(job, ref)
            elif entry is not None and entry.state == DONE and entry.target_id:
                job.resolved[ref.source_id] = job.targets[key] = entry.target_id
            elif entry is not None and entry.state == REJECTED and self._settled(entry):
                self._rejected_reference(job, ref, entry.note or "")
            else:  # not written yet, or rejected by an earlier run: this run may write it
                waits.append(ref)
        return waits

    def _soft(self, job: Job, ref: Ref) -> None:
        """A link kept in step with the other side's: written if its record is in the copy,
        else left to the other side (never waited for: each side would wait for the other)."""
        key = (ref.kind, ref.source_id)
        entry = self.ids.resolve(ref.source_id, (ref.kind,))
        known = entry is not None and entry.kind == ref.kind and entry.state == DONE
        if known and entry is not None and entry.target_id and entry.body_hash != TRASHED:
            job.resolved[ref.source_id] = job.targets[key] = entry.target_id
        else:
            job.deferred.add(key)

    def _unknown_member(self, job: Job, ref: Ref) -> None:
        """A relationship to a member the workspace lacks: left out (counted), or the
        record's own reject (``unknown_members: reject``)."""
        if self.settings.unknown_members == REJECT:
            msg = (
                f"{ref.field} is member {ref.source_id}, whom the workspace lacks "
                "(unknown_members: reject; see member_map)"
            )
            raise RecordError(msg)
        key = (ref.kind, ref.source_id)
        job.omitted.add(key)
        job.left_out[key] = (
            f"member {ref.source_id} is not in the workspace "
            "(unknown_members: omit; invite them or map them with member_map)"
        )

    def _dangling(self, job: Job, ref: Ref) -> None:
        """A reference to a record trashed in the source: left out with a warning, counted
        (``dangling_references``)."""
        key = (ref.kind, ref.source_id)
        job.dangling.add(key)
        job.left_out[key] = f"{ref.kind or 'record'} {ref.source_id} was trashed in the source"

    def _settled(self, entry: Entry) -> bool:
        """Whether a rejected record's reject holds for this run: rejected by this run, or
        the input has ended. A reject of an earlier run (another setting, a reference missing
        then) does not: the record may be in this run's input and written, so the reference
        waits for it like any other (at the end of input, it is left out as rejected)."""
        return self._final or (entry.kind, entry.source_id) in self.outcomes.rejected_now

    def _rejected_reference(self, job: Job, ref: Ref, reason: str) -> None:
        """A reference to a record rejected for its own reason: left out and counted, never a
        cascade (a list membership has nothing left without it: that one is rejected). The
        warning is told once the record is written (``_tell_left_out``)."""
        why = (
            f"{ref.source_id} was rejected: {reason}" if reason else f"{ref.source_id} was rejected"
        )
        if job.route.kind == LIST_MEMBERS:
            raise RecordError(f"{ref.field} {why}")
        key = (ref.kind, ref.source_id)
        job.dropped.add(key)
        job.left_out[key] = f"{ref.kind or 'record'} {why}"

    # -- writes ---------------------------------------------------------------------------------

    def _execute(self, jobs: list[Job]) -> None:
        results = self._pool.map(self._write, jobs, record_first=True)
        fatal: Fatal | None = None
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, Fatal):
                fatal = fatal or result
            elif isinstance(result, RecordError):
                self.reject(job.stream, job.record, result, job)
            else:
                self.outcomes.written(job, result)
                self._tell_left_out(job)
        if fatal is not None:
            raise fatal.error  # after what did get written is in the id map

    def _tell_left_out(self, job: Job) -> None:
        """A written record's references to records rejected or trashed: a warning each (a
        member left out is only counted: there may be one per record)."""
        for ref in job.refs:
            key = (ref.kind, ref.source_id)
            if key in job.dropped or key in job.dangling:
                self.logger.warning(
                    "stream %r: record %s written without %s: %s",
                    job.stream,
                    job.source_id,
                    ref.field,
                    job.left_out[key],
                )

    def _write(self, job: Job) -> Outcome:
        """One job, by the module of its kind; RecordError if it cannot be written."""
        kind = job.route.kind
        if kind == MEMBERS:
            return self.ctx.members.write(job)
        if job.deleted:
            return deletes.write(self.ctx, job)
        if kind == FILES:
            return files.write(self.ctx, job)
        if kind == LIST_MEMBERS:
            return lists.write_member(self.ctx, job)
        if kind == EMAILS:
            return emails.write(self.ctx, job)
        return records.write(self.ctx, job)


def _client(config: Mapping[str, Any], user_agent: str) -> LightfieldClient:
    return LightfieldClient(
        api_url=str(config.get("api_url") or contract.DEFAULT_API_URL),
        api_key=str(config["api_key"]),
        user_agent=user_agent,
        **client_options(config, concurrency=max_concurrency(config), min_pool=8),
    )


def _source_id(route: Route, record: dict[str, Any], keys: list[str]) -> str:
    if route.kind == LIST_MEMBERS:
        list_id, member = record.get("list_id"), record.get("record_id")
        if not list_id or not member:
            raise RecordError("a list member needs list_id and record_id")
        return f"{list_id}:{member}"
    return source_key(record, keys or ["id"])


def source_key(record: dict[str, Any], keys: list[str]) -> str:
    """The record's identity: every key property, whatever its JSON type (``42`` and ``"42"``
    are one id; two key properties are both part of it)."""
    parts = []
    for key in keys:
        value = record.get(key)
        if value is None or value == "" or isinstance(value, (dict, list, bool)):
            raise RecordError(f"record has no {key}")
        parts.append(value if isinstance(value, str) else json.dumps(value))
    return parts[0] if len(parts) == 1 else json.dumps(parts, separators=(",", ":"))


def _refs(route: Route, record: dict[str, Any]) -> list[Ref]:
    if route.kind == LIST_MEMBERS:
        return [
            Ref("list_id", str(record["list_id"]), "list"),
            Ref("record_id", str(record["record_id"])),
        ]
    relationships = record.get("relationships") or {}
    return [
        Ref(f"relationships.{slug}", str(ref_id), route.relationships[slug], slug in route.soft)
        for slug in route.relationships
        for ref_id in ref_ids(relationships.get(slug))
    ]
