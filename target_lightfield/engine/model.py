"""What the engine passes around: a record on its way (``Job``), its references (``Ref``),
what became of it (``Outcome``), and what every write needs (``Context``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connector_core.target import file_content

if TYPE_CHECKING:
    from connector_core.target.file_sources import FileSources
    from connector_core.target.id_map import IdMap
    from connector_core.target.outcomes import PlanLines
    from connector_core.target.stats import Stats
    from lightfield_api.http import LightfieldClient
    from target_lightfield.engine.members import MemberDirectory
    from target_lightfield.engine.routing import Route
    from target_lightfield.engine.settings import EngineSettings

UNCHANGED, CREATED, UPDATED, DELETED = "unchanged", "created", "updated", "deleted"
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
    omitted: set[str] = field(default_factory=set)  # members the workspace lacks, left out
    dropped: set[str] = field(default_factory=set)  # records rejected themselves, left out

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

    def planned(self, action: str, job: Job) -> str:
        """A dry run: the plan line, and the id the record would have."""
        self.plan.add(action, job.stream, job.source_id)
        return f"dry-run-{job.source_id}"


def idempotency_key(stream: str, source_id: str) -> str:
    """The same for every try and every run of one source record: a create is never doubled."""
    digest = hashlib.sha256(f"{stream}\n{source_id}".encode()).hexdigest()
    return _KEY_PREFIX + digest  # 82 characters, within the 255 [D]


def canonical(body: dict[str, Any]) -> str:
    """One text for one body, whatever the order it was built in."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
