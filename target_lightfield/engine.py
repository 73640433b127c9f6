"""target-lightfield's write engine: create or update each record, never twice.

A record of tap-lightfield's shape (``fields`` {slug: value}, ``relationships`` {slug: [ids]})
becomes a job whose references are its relationship ids. The core's waves (``Waves``) write
the jobs whose references are all in the id map and park the others in it until they are.

One job, on the pool:

- known in the id map (``done``): unchanged (same body hash: no request) or updated
  (``POST /v1/<collection>/{id}``, relationships as ``replace``);
- an ``intent`` left by a run that stopped after sending its create: the same create is sent
  again, body and ``Idempotency-Key`` as stored, and the API replays its first answer [D S8];
- matched by ``match_on`` in the workspace: updated;
- else created (``POST /v1/<collection>``) with ``Idempotency-Key`` derived from (stream,
  source id), after the intent (key and body) is in the id map.

Members cannot be created [D S26]: a member is matched by ``$email``. List memberships are
added to their list (``add``). A file is written in three steps [D S28]: created (name, size,
MIME type; the intent and ``Idempotency-Key`` first, as for any create), its bytes PUT to the
presigned URL with the ``uploadHeaders`` of the answer, then completed with their MD5. The
bytes come from the record as the core allows (``connector_core.target.file_content``):
inline ``content_base64`` (tap-lightfield's ``files_content: inline``), or a ``local_path`` or
``download_url`` only within ``files_root`` / ``allowed_download_hosts``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_core.presigned import upload_headers
from connector_core.settings import client_options, max_concurrency
from connector_core.target import file_content
from connector_core.target.errors import RecordError, rejectable_status
from connector_core.target.file_sources import FileSources
from connector_core.target.id_map import IdMap
from connector_core.target.id_map_schema import DONE, INTENT, REJECTED, Entry, Waiting
from connector_core.target.pool import Fatal, Pool
from connector_core.target.rejects import Rejects
from connector_core.target.stats import Stats
from connector_core.target.values import json_safe, redacted, stable_hash
from connector_core.target.waves import Waves, WaveSteps
from lightfield_api import contract
from lightfield_api.errors import LightfieldConnectionError, LightfieldHTTPError
from lightfield_api.http import LightfieldClient
from target_lightfield.routes import ENTITY, FILES, LIST_MEMBERS, LISTS, MEMBERS, Route, Routes

DEFAULT_DIR = Path(".target-lightfield")
UNCHANGED, CREATED, UPDATED = "unchanged", "created", "updated"
_KEY_PREFIX = "target-lightfield:"
# tap-lightfield's file records: ``sizeBytes``, and ``status`` COMPLETED once it has bytes [D].
FILE_SHAPE = file_content.RecordShape(
    size_key="sizeBytes",
    status_key="status",
    done_status="COMPLETED",
    hint="tap-lightfield: files_content inline",
)


@dataclass(frozen=True)
class Ref:
    """A relationship id of a record: the source id of the record it points at."""

    field: str
    source_id: str


@dataclass
class Job:
    """One record on its way."""

    stream: str
    route: Route
    source_id: str
    record: dict[str, Any]
    key_properties: list[str]
    position: int = 0
    refs: list[Ref] = field(default_factory=list)
    resolved: dict[str, str] = field(default_factory=dict)  # source id -> workspace id


def idempotency_key(stream: str, source_id: str) -> str:
    """The same for every try and every run of one source record: a create is never doubled."""
    digest = hashlib.sha256(f"{stream}\n{source_id}".encode()).hexdigest()
    return _KEY_PREFIX + digest  # 82 characters, within the 255 [D]


def record_error_of(exc: Exception) -> RecordError | None:
    """The pool's question: a Lightfield answer about one record is that record's error."""
    if isinstance(exc, LightfieldHTTPError) and rejectable_status(exc.status):
        return RecordError(exc.message, exc.status)
    return None


class LightfieldEngine:
    """Writes, rejects or parks every record; owns the client, id map, rejects file and pool."""

    def __init__(
        self, config: Mapping[str, Any], *, user_agent: str, logger: logging.Logger
    ) -> None:
        self.logger = logger
        self.dry_run = bool(config.get("dry_run"))
        self.fail_on_reject = config.get("on_record_error", "reject") == "fail"
        self.match_on = {k: list(v) for k, v in (config.get("match_on") or {}).items()}
        self.file_sources = FileSources.from_config(config)
        workspace = _workspace_tag(config)
        with ExitStack() as opened:
            own = opened.enter_context
            self.client = own(closing(_client(config, user_agent)))
            id_map = config.get("id_map_path") or DEFAULT_DIR / f"id-map-{workspace}.sqlite"
            self.ids = own(closing(IdMap(id_map, workspace, scratch_copy=self.dry_run)))
            rejects = config.get("rejects_path") or DEFAULT_DIR / "rejects.jsonl"
            self.rejects = own(closing(Rejects(rejects, enabled=not self.dry_run)))
            size = max_concurrency(config)
            self._pool = own(closing(Pool(size, record_error_of, "lightfield-write")))
            self._owned = opened.pop_all()
        self.stats = Stats()
        self.plan_lines: list[str] = []
        self._routes = Routes(self.client)
        self._members: dict[str, str] | None = None  # email -> member id of the workspace
        self._lock = threading.Lock()
        self._fresh: set[str] = set()
        self._stop: RecordError | None = None
        steps = WaveSteps(
            resolve=self._resolve,
            look_up=lambda _jobs: None,  # source ids are never workspace ids here
            execute=self._execute,
            reject=lambda job, error: self.reject(job.stream, job.record, error, job),
            from_waiting=self._from_waiting,
            take_fresh=self._take_fresh,
        )
        self._waves: Waves[Job] = Waves(self.ids, steps, "the workspace")

    # -- what the target calls ------------------------------------------------------------------

    def close(self) -> None:
        self._owned.close()

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
        self._raise_if_stopped()

    def finish(self) -> None:
        self._waves.finish()
        self._raise_if_stopped()
        self.ids.finished()

    def reject(
        self, stream: str | None, record: Any, error: RecordError, job: Job | None = None
    ) -> None:
        """``record`` cannot be written: the rejects file (once across a resume), the counts."""
        digest = stable_hash([stream, redacted(record), error.message])
        if self.ids.first_reject(digest):
            self.rejects.write(stream, record, error.message, error.status)
        self.stats.add(stream or "(input)", "rejected")
        if job is not None:
            self.ids.rejected(job.stream, job.source_id, job.route.object_type, error.message)
            self._mark_fresh(job.source_id)
        if self.dry_run:
            self._plan("reject", stream, error.message)
        if self.fail_on_reject and self._stop is None:
            self._stop = RecordError(f"stream {stream!r}: record rejected: {error.message}")

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
            if ref.source_id in job.resolved:
                continue
            if ref.source_id in batch and ref.source_id != job.source_id:
                waits.append(ref)  # written in this batch: the next wave
                continue
            entry = self.ids.resolve(ref.source_id, ())
            if entry is not None and entry.state == DONE and entry.target_id:
                job.resolved[ref.source_id] = entry.target_id
            elif entry is not None and entry.state == REJECTED:
                raise RecordError(f"{ref.field} {ref.source_id} was rejected: {entry.note}")
            else:
                waits.append(ref)
        return waits

    # -- writes ---------------------------------------------------------------------------------

    def _execute(self, jobs: list[Job]) -> None:
        outcomes = self._pool.map(self._write, jobs, record_first=True)
        fatal: Fatal | None = None
        for job, outcome in zip(jobs, outcomes, strict=True):
            if isinstance(outcome, Fatal):
                fatal = fatal or outcome
            elif isinstance(outcome, RecordError):
                self.reject(job.stream, job.record, outcome, job)
            else:
                action, target_id, digest = outcome
                self.ids.done(
                    job.stream, job.source_id, job.route.object_type, None, target_id, digest
                )
                self.stats.add(job.stream, action)
                self._mark_fresh(job.source_id)
        if fatal is not None:
            raise fatal.error  # after what did get written is in the id map

    def _write(self, job: Job) -> tuple[str, str, str]:
        """(action, workspace id, body hash) of one job; RecordError if it cannot be written."""
        kind = job.route.kind
        if kind == MEMBERS:
            return UNCHANGED, self._member(job), "member"
        if kind == FILES:
            return self._file(job)
        if kind == LIST_MEMBERS:
            return self._list_member(job)
        body = _body(job)
        digest = stable_hash(body)
        entry = self.ids.get(job.stream, job.source_id)
        if entry is not None and entry.state == DONE and entry.target_id:
            if entry.body_hash == digest:
                return UNCHANGED, entry.target_id, digest
            return self._update(job, entry.target_id, body, digest)
        if entry is not None and entry.state == INTENT and entry.note:
            return self._create_again(job, entry, body, digest)
        matched = self._match(job, body)
        if matched is not None:
            return self._update(job, matched, body, digest)
        return CREATED, self._create(job, _create_body(job.route, body)), digest

    def _create(self, job: Job, body: dict[str, Any]) -> str:
        if self.dry_run:
            self._plan("create", job.stream, job.source_id)
            return f"dry-run-{job.source_id}"
        # The intent first: a run killed before the answer is stored sends this same create
        # again, the same key and the same bytes (the API compares the raw body [A]), and the
        # API replays the record it made.
        raw = _canonical(body)
        self.ids.intend(job.stream, job.source_id, job.route.object_type, None, raw)
        headers = {
            contract.IDEMPOTENCY_HEADER: idempotency_key(job.stream, job.source_id),
            "Content-Type": "application/json",
        }
        answer = self.client.request(
            "POST", job.route.create_path, data=raw.encode(), headers=headers
        )
        return str(answer.json()["id"])

    def _create_again(
        self, job: Job, entry: Entry, body: dict[str, Any], digest: str
    ) -> tuple[str, str, str]:
        assert entry.note is not None
        sent = json.loads(entry.note)
        target_id = self._create(job, sent)
        if sent == _create_body(job.route, body):
            return CREATED, target_id, digest
        return self._update(job, target_id, body, digest)  # the source changed since

    def _update(
        self, job: Job, target_id: str, body: dict[str, Any], digest: str
    ) -> tuple[str, str, str]:
        if self.dry_run:
            self._plan("update", job.stream, job.source_id)
        else:
            self.client.send_json("POST", job.route.update_path(target_id), _update_body(job, body))
        return UPDATED, target_id, digest

    def _match(self, job: Job, body: dict[str, Any]) -> str | None:
        """The workspace's record whose ``match_on`` fields equal this record's, if one."""
        keys = self.match_on.get(job.stream)
        if not keys or job.route.kind != ENTITY:
            return None
        fields = body.get("fields") or {}
        wanted = {k: fields.get(k) for k in keys}
        if any(v is None or isinstance(v, (dict, list)) for v in wanted.values()):
            return None  # only plain values make a filter
        answer = self.client.get_json(job.route.create_path.removesuffix("/values"), wanted)
        for item in answer.get("data") or []:
            found = {k: (item["fields"].get(k) or {}).get("value") for k in keys}
            if found == wanted:
                return str(item["id"])
        return None

    def _file(self, job: Job) -> tuple[str, str, str]:
        """A file: unchanged when the id map has it with the same metadata and checksum;
        otherwise its bytes loaded (by the core's rules) and uploaded in three steps."""
        record = job.record
        name = record.get("filename")
        if not isinstance(name, str) or not name:
            raise RecordError("file has no filename")
        mime = record.get("mimeType")
        mime = mime if isinstance(mime, str) and mime else file_content.DEFAULT_MIME
        meta = {"filename": name, "mimeType": mime}
        digest = stable_hash(
            {**meta, "sizeBytes": record.get("sizeBytes"), "sha256": record.get("sha256")}
        )
        entry = self.ids.get(job.stream, job.source_id)
        if (
            entry is not None
            and entry.state == DONE
            and entry.target_id
            and entry.body_hash == digest
        ):
            return UNCHANGED, entry.target_id, digest
        try:
            if self.dry_run:  # the source checked, nothing read or fetched
                file_content.check_source(record, self.file_sources, FILE_SHAPE)
                self._plan("create", job.stream, job.source_id)
                return CREATED, f"dry-run-{job.source_id}", digest
            content = file_content.load_content(record, self.client, self.file_sources, FILE_SHAPE)
        except file_content.FileContentError as exc:
            raise RecordError(str(exc)) from None
        resumed = entry is not None and entry.state == INTENT
        try:
            body = {**meta, "sizeBytes": content.size}
            return CREATED, self._upload(job, body, content, digest, resumed=resumed), digest
        except file_content.FileContentError as exc:  # the local file was swapped after its check
            raise RecordError(str(exc)) from None
        finally:
            content.discard()

    def _upload(
        self,
        job: Job,
        body: dict[str, Any],
        content: file_content.FileContent,
        digest: str,
        *,
        resumed: bool,
    ) -> str:
        """Create, PUT, complete [D S28]; the workspace's file id."""
        raw = _canonical(body)
        self.ids.intend(job.stream, job.source_id, job.route.object_type, None, raw)
        # The key names the content too: a file whose bytes changed is a new file (files are
        # not updated), while a resumed run with the same bytes gets the first answer again.
        key = idempotency_key(job.stream, f"{job.source_id}\n{digest}\n{content.sha256}")
        headers = {contract.IDEMPOTENCY_HEADER: key, "Content-Type": "application/json"}
        created = self.client.request(
            "POST", job.route.create_path, data=raw.encode(), headers=headers
        ).json()
        file_id = str(created["id"])
        # A replayed answer says PENDING whatever happened after it: ask for the truth, since
        # a completed file refuses more bytes (409).
        if resumed and self._file_status(file_id) == "COMPLETED":
            return file_id
        # Only what a storage protocol needs: no Host, hop-by-hop or unknown X- header.
        headers, dropped = upload_headers(created.get("uploadHeaders"))
        if dropped:
            self.logger.warning("file %s: upload headers left out: %s", file_id, ", ".join(dropped))
        self.client.request(
            "PUT",
            str(created["uploadUrl"]),
            data=content.opener,
            headers=headers,
            authenticated=False,  # the URL signs itself (and is checked: presigned.py)
        )
        self.client.send_json("POST", contract.file_path(file_id, "complete"), {"md5": content.md5})
        return file_id

    def _file_status(self, file_id: str) -> Any:
        return self.client.get_json(contract.file_path(file_id)).get("status")

    def _member(self, job: Job) -> str:
        email = str((job.record.get("fields") or {}).get("$email") or "").lower()
        with self._lock:
            if self._members is None:
                self._members = self._workspace_members()
        found = self._members.get(email)
        if found is None:
            msg = f"member {email or job.source_id} is not in the workspace (never created)"
            raise RecordError(msg)
        return found

    def _workspace_members(self) -> dict[str, str]:
        members: dict[str, str] = {}
        offset = 0
        for _page in range(self.client.max_pages):  # a peer's list may never end
            params = {"limit": contract.MAX_PAGE_SIZE, "offset": offset}
            page = self.client.get_json(contract.collection_path(contract.MEMBERS), params)
            for item in page.get("data") or []:
                email = (item["fields"].get("$email") or {}).get("value")
                if email:
                    members[str(email).lower()] = str(item["id"])
            if len(page.get("data") or []) < contract.MAX_PAGE_SIZE:
                return members
            offset += contract.MAX_PAGE_SIZE
        msg = f"members: more than {self.client.max_pages} pages (max_pages); the list never ends"
        raise LightfieldConnectionError(msg)

    def _list_member(self, job: Job) -> tuple[str, str, str]:
        entry = self.ids.get(job.stream, job.source_id)
        if entry is not None and entry.state == DONE and entry.target_id:
            return UNCHANGED, entry.target_id, "member"
        list_id = job.resolved[str(job.record["list_id"])]
        member_id = job.resolved[str(job.record["record_id"])]
        relationship = contract.LIST_RELATIONSHIP.get(str(job.record.get("object_type")))
        if relationship is None:
            raise RecordError(f"object_type {job.record.get('object_type')!r} cannot be listed")
        body = {"relationships": {relationship: {"add": [member_id]}}}  # add: idempotent [D]
        if self.dry_run:
            self._plan("add", job.stream, job.source_id)
        else:
            self.client.send_json("POST", contract.collection_path("lists", list_id), body)
        return CREATED, f"{list_id}:{member_id}", "member"

    # -- small parts ----------------------------------------------------------------------------

    def _plan(self, action: str, stream: str | None, what: str) -> None:
        line = f"dry-run: would {action} {stream or '(input)'} {what}"
        with self._lock:
            self.plan_lines.append(line)
        self.logger.info("%s", line)

    def _mark_fresh(self, source_id: str) -> None:
        with self._lock:
            self._fresh.add(source_id)

    def _take_fresh(self) -> set[str]:
        with self._lock:
            fresh, self._fresh = self._fresh, set()
        return fresh

    def _raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise self._stop


def _canonical(body: dict[str, Any]) -> str:
    """One text for one body, whatever the order it was built in."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _client(config: Mapping[str, Any], user_agent: str) -> LightfieldClient:
    return LightfieldClient(
        api_url=str(config.get("api_url") or contract.DEFAULT_API_URL),
        api_key=str(config["api_key"]),
        user_agent=user_agent,
        **client_options(config, concurrency=max_concurrency(config), min_pool=8),
    )


def _workspace_tag(config: Mapping[str, Any]) -> str:
    """The id map's account: the key implies the workspace [D], so a one-way hash of it."""
    text = f"{config.get('api_url') or contract.DEFAULT_API_URL}\n{config['api_key']}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _source_id(route: Route, record: dict[str, Any], keys: list[str]) -> str:
    if route.kind == LIST_MEMBERS:
        list_id, member = record.get("list_id"), record.get("record_id")
        if not list_id or not member:
            raise RecordError("a list member needs list_id and record_id")
        return f"{list_id}:{member}"
    value = record.get(keys[0] if keys else "id")
    if not isinstance(value, str) or not value:
        raise RecordError(f"record has no {keys[0] if keys else 'id'}")
    return value


def _refs(route: Route, record: dict[str, Any]) -> list[Ref]:
    if route.kind == LIST_MEMBERS:
        return [Ref("list_id", str(record["list_id"])), Ref("record_id", str(record["record_id"]))]
    relationships = record.get("relationships") or {}
    return [
        Ref(f"relationships.{slug}", str(ref_id))
        for slug in route.relationships
        for ref_id in relationships.get(slug) or []
    ]


def _body(job: Job) -> dict[str, Any]:
    """What the workspace should hold: writable fields, relationships as workspace ids."""
    route, record = job.route, job.record
    if route.kind == LISTS:
        return {"fields": {k: v for k, v in (record.get("fields") or {}).items() if k != "id"}}
    fields = {
        k: v for k, v in (record.get("fields") or {}).items() if k not in route.read_only_fields
    }
    relationships = {
        slug: [job.resolved[str(i)] for i in (record.get("relationships") or {}).get(slug) or []]
        for slug in route.relationships
    }
    body: dict[str, Any] = {"fields": fields, "relationships": relationships}
    if record.get("externalId") is not None:
        body["externalId"] = record["externalId"]
    return body


def _create_body(route: Route, body: dict[str, Any]) -> dict[str, Any]:
    """A create sends what has a value: a null or empty value is what a new record holds."""
    out = dict(body)
    out["fields"] = {k: v for k, v in body["fields"].items() if v is not None}
    if route.kind == ENTITY:
        out["relationships"] = {k: v for k, v in body["relationships"].items() if v}
    return out


def _update_body(job: Job, body: dict[str, Any]) -> dict[str, Any]:
    """Every writable field, and each relationship as ``replace`` [D S14]."""
    if job.route.kind == LISTS:  # a list's $objectType cannot change [A]
        return {"fields": {k: v for k, v in body["fields"].items() if k != "$objectType"}}
    out = dict(body)
    out["relationships"] = {k: {"replace": v} for k, v in body["relationships"].items()}
    return out
