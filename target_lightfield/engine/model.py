"""What the engine passes around: a record on its way (``Job``), its references (``Ref``),
what became of it (``Outcome``), and what every write needs (``Context``)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connector_core.target import file_content

if TYPE_CHECKING:
    from connector_core.target import FileSources, IdMap, PlanLines, Stats
    from lightfield_api.http import LightfieldClient
    from target_lightfield.engine.members import MemberDirectory
    from target_lightfield.engine.routing import Route
    from target_lightfield.engine.settings import EngineSettings

UNCHANGED, CREATED, UPDATED, DELETED = "unchanged", "created", "updated", "deleted"
#: A copy this target trashed, brought back (and updated) because its source is live again.
RESTORED = "restored"
#: The id map's body hash of a copy this target moved to the trash.
TRASHED = "trashed"
#: tap-lightfield's mark of a record trashed in the source (``tap_lightfield.trash``).
DELETED_AT = "_sdc_deleted_at"
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
    kind: str = ""  # the object type the relationship points to ("": any, a list member's)
    soft: bool = False  # written if its record is in the copy already, never waited for


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
    # (object type, source id) -> workspace id: "1" the account and "1" the contact apart
    targets: dict[tuple[str, str], str] = field(default_factory=dict)
    omitted: set[tuple[str, str]] = field(default_factory=set)  # members the workspace lacks
    dropped: set[tuple[str, str]] = field(default_factory=set)  # records rejected themselves
    dangling: set[tuple[str, str]] = field(default_factory=set)  # records trashed in the source
    deferred: set[tuple[str, str]] = field(default_factory=set)  # soft, not in the copy yet
    # (object type, source id) -> why it is left out, as a warning or a reject tells it
    left_out: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def deleted(self) -> bool:
        """Trashed in the source: its copy is trashed too (``deletes``)."""
        return self.record.get(DELETED_AT) is not None


@dataclass(frozen=True)
class Outcome:
    """What a write did; ``target_id`` None: nothing for the id map (a delete of a record
    this target never wrote)."""

    action: str
    target_id: str | None
    digest: str


@dataclass
class Context:
    """What every kind of record's writer uses: the API, the id map, the settings, members."""

    client: LightfieldClient
    ids: IdMap
    settings: EngineSettings
    members: MemberDirectory
    file_sources: FileSources
    plan: PlanLines
    stats: Stats
    run: str = ""  # this run's id: part of every idempotency key it makes
    # (stream, match_on fields, workspace id) of each record this run created: the list a
    # match_on lookup reads may lag writes [D], so a record created a second ago is found
    # here (``match.find``), not created again.
    created: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    _warned: set[tuple[str, ...]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def warn_once(self, what: tuple[str, ...]) -> bool:
        """True the first time ``what`` is asked about in this run (its warning is due)."""
        with self._lock:
            first = what not in self._warned
            self._warned.add(what)
            return first

    def remember_created(self, stream: str, fields: dict[str, Any], target_id: str) -> None:
        with self._lock:
            self.created.append((stream, fields, target_id))

    def created_in(self, stream: str) -> list[tuple[dict[str, Any], str]]:
        """(match_on fields, workspace id) of the records this run created in ``stream``."""
        with self._lock:
            return [(fields, i) for s, fields, i in self.created if s == stream]

    def planned(self, action: str, job: Job) -> str:
        """A dry run: the plan line, and the id the record would have."""
        self.plan.add(action, job.stream, job.source_id)
        return f"dry-run-{job.source_id}"


def idempotency_key(stream: str, source_id: str, body: str, run: str) -> str:
    """What makes one create unique: the source record, the body's bytes and the run that
    intends it. A retry (in the run, or of an intent a stopped run left, which stores its key)
    is never doubled; a replay after the copies were wiped, or a changed body, creates anew
    instead of being answered with the first create's (trashed) id."""
    text = f"{stream}\n{source_id}\n{hashlib.sha256(body.encode()).hexdigest()}\n{run}"
    return _KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()  # 82 characters [D: 255]


def ref_ids(value: Any) -> list[str]:
    """A relationship's ids: a list, or one id given alone (``"$owner": "mem_x"``, never
    its letters)."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(i) for i in value if i is not None and i != ""]
    return [str(value)]


def intent_note(key: str, raw: str) -> str:
    """The id map's note of a create about to be sent: its key and its exact bytes."""
    return f"{key}\n{raw}"


def from_intent(note: str, stream: str, source_id: str) -> tuple[str, str]:
    """(key, body) of a stored intent; an intent of an older version holds the body alone
    and its key was (stream, source id)'s."""
    if note.startswith(_KEY_PREFIX):
        key, _, raw = note.partition("\n")
        return key, raw
    legacy = hashlib.sha256(f"{stream}\n{source_id}".encode()).hexdigest()
    return _KEY_PREFIX + legacy, note


def canonical(body: dict[str, Any]) -> str:
    """One text for one body, whatever the order it was built in."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
