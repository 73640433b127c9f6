"""The units of work the write engine passes around: jobs, references, plans, record errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector_core.target import RecordError, rejectable_status
from lexful_api import LexfulHTTPError

# What a stream writes to. Asset streams are ASSET with the asset type beside it.
ORGANIZATIONS = "organizations"
ORGANIZATION_TYPES = "organization_types"
ASSET_TYPES = "asset_types"
ASSET = "asset"
RELATED_ASSETS = "related_assets"
FILES = "files"
USERS = "users"
SPECIAL_STREAMS = (ORGANIZATIONS, ORGANIZATION_TYPES, ASSET_TYPES, RELATED_ASSETS, FILES, USERS)
CHILD_KINDS = (RELATED_ASSETS, FILES)  # hang on an asset; a full set can come as a version

CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
SKIP = "skip"  # nothing to write: deleted in the source and never copied, never uploaded
DRY_RUN_ID_PREFIX = "dry-run-"  # the made-up Lexful id of what a dry run would create


def rejectable(exc: LexfulHTTPError) -> bool:
    """An answer about this record (validation, conflict, not found), not about the run."""
    return rejectable_status(exc.status)


class SettingRecordError(RecordError):
    """A record rejected because of a setting (a match_on key it has no value for, a field
    ``extra_fields: reject`` refuses): when every record of a stream is rejected so, the
    setting is wrong and the run ends non-zero."""


@dataclass(frozen=True)
class Route:
    """What a stream writes: a kind (``ORGANIZATIONS``, ``ASSET``, ...), and an asset type."""

    kind: str
    asset_type: str | None = None


def space_key(space: str, source_id: str) -> str:
    """A source id in its namespace (``organizations``, an asset type, ``asset``: any asset).

    Sources number each table on its own (companies 1, 2; people 1, 2): a reference waits on
    and resolves to a record of the namespace it points to, never to an equal id elsewhere.
    """
    return f"{space}\x1f{source_id}"


@dataclass(frozen=True)
class Ref:
    """One reference of a record to another record, by the other record's source id."""

    field: str  # as shown to people: organization_id, references.location, asset_id
    source_id: str
    kinds: tuple[str, ...]  # what it points at: ORGANIZATIONS or ASSET
    asset_types: tuple[str, ...] = ()  # where it may already exist in the target account

    @property
    def spaces(self) -> tuple[str, ...]:
        """The namespaces it points to: organizations, its asset types, or any asset."""
        if ASSET in self.kinds and self.asset_types:
            return self.asset_types
        return self.kinds

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(space_key(s, self.source_id) for s in self.spaces)

    @property
    def key(self) -> str:
        """Where its destination is kept in ``Job.resolved``."""
        return space_key("|".join(self.spaces), self.source_id)


@dataclass(frozen=True)
class Destination:
    """Where a source id lives in the destination account: its Lexful id (and asset type)."""

    id: str
    asset_type: str | None = None


@dataclass
class Job:
    """One record on its way: where it goes, its source id, its references and where they are."""

    stream: str
    route: Route
    source_id: str
    record: dict[str, Any]
    key_properties: list[str]
    refs: list[Ref] = field(default_factory=list)
    resolved: dict[str, Destination] = field(default_factory=dict)
    existing: dict[str, Any] | None = None  # the record itself, found in the target by its id
    position: int = 0  # its RECORD line's number in this run's input (0: parked by a past run)

    @property
    def kind(self) -> str:
        return self.route.kind

    @property
    def keys(self) -> frozenset[str]:
        """Its source id in each namespace it is in (what a reference to it waits on).

        The bare id too: what a target of an older version parked waits on that.
        """
        spaces = [self.kind, *([self.route.asset_type] if self.route.asset_type else [])]
        return frozenset([self.source_id, *(space_key(s, self.source_id) for s in spaces)])

    def destination_of(self, field: str, source_id: Any) -> Destination | None:
        """Where the reference ``field`` = ``source_id`` points (an int id as its string)."""
        if source_id is None or source_id == "":
            return None
        sid = str(source_id)
        ref = next((r for r in self.refs if r.field == field and r.source_id == sid), None)
        return self.resolved.get(ref.key) if ref else None


@dataclass
class Plan:
    """What a handler decided for a job (create, update, unchanged, delete) and what to send."""

    job: Job
    action: str
    body: dict[str, Any]
    body_hash: str
    target_id: str | None = None
    changes: dict[str, Any] | None = None
    asset_type: str | None = None  # the asset type of the written record, for the id map
    extra: Any = None  # what a handler keeps between plan and execute (file content, link source)
    result_id: str | None = None
    parent_id: str | None = None  # a link's or a file's asset (Lexful id), kept in the id map
