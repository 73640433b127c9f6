"""What every handler shares: its dependencies, the two steps, and error triage.

A handler is used in two steps by the engine: ``plan`` (decide create, update or unchanged;
may read), then ``execute`` on groups of plans (the writes). Both run on worker threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

from connector_core.target import (
    DELETED_HASH,
    DONE,
    Entry,
    FileSources,
    IdMap,
    KeylessRecord,
    RecordError,
    stable_hash,
)
from lexful_api import LexfulClient, LexfulHTTPError, contract
from target_lexful.engine.destination_cache import DestinationCache
from target_lexful.engine.extra_fields import ExtraFields
from target_lexful.engine.model import (
    DELETE,
    SKIP,
    UNCHANGED,
    Destination,
    Job,
    Plan,
    Ref,
    Route,
    rejectable,
)


@dataclass
class HandlerDeps:
    """What every handler writes with: the API client, the id map, the account's types, settings."""

    client: LexfulClient
    ids: IdMap
    destination: DestinationCache
    match_on: dict[str, list[str]]
    create_asset_types: bool
    logger: logging.Logger
    dry_run: bool = False
    # The default allows no local path and no URL: the engine passes the settings'.
    file_sources: FileSources = field(default_factory=FileSources)
    extra_fields: ExtraFields = field(
        default_factory=lambda: ExtraFields("drop", logging.getLogger("target-lexful"))
    )
    create_users: bool = False  # users: create and delete (may invite a real person)
    transfer_ownership_to: str | None = None  # the email that a deleted user's assets go to


GroupResult = list[RecordError | None]
NEVER_COPIED = "deleted in the source and never copied: nothing to delete"


class Handler:
    """The default: one record, one id, written alone."""

    kind: ClassVar[str]

    def __init__(self, deps: HandlerDeps) -> None:
        self.deps = deps

    def source_id(
        self, stream: str, route: Route, record: dict[str, Any], key_properties: list[str]
    ) -> str:
        """Its id, else its key_properties' values, else its match_on keys' values.

        A record none of them places is rejected: written, it would be created again each
        time it changes.
        """
        if record.get("id") not in (None, ""):
            return str(record["id"])
        if key_properties and all(record.get(k) not in (None, "") for k in key_properties):
            return "|".join(str(record[k]) for k in key_properties)
        keys = match_keys(self.deps.match_on, stream, route)
        if keys and all(record.get(k) not in (None, "") for k in keys):
            return "match:" + stable_hash({k: record[k] for k in keys})
        named = f"key_properties {key_properties}" if key_properties else "no key_properties"
        via = f"match_on {keys} has no value in it" if keys else "no match_on places it"
        msg = f"record has no key: no id, {named} and {via}"
        raise KeylessRecord(msg)

    def refs(self, job: Job) -> list[Ref]:
        return []

    def prefetch(self, jobs: list[Job]) -> None:
        """Read in bulk what ``plan`` would otherwise read one record at a time."""

    def plan(self, job: Job) -> Plan:
        raise NotImplementedError

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        return [[p] for p in plans]

    def execute(self, group: list[Plan]) -> GroupResult:
        for plan in group:
            self.execute_one(plan)
        return [None] * len(group)

    def execute_one(self, plan: Plan) -> None:
        raise NotImplementedError

    def entry(self, job: Job) -> Entry | None:
        return self.deps.ids.get(job.stream, job.source_id)

    def is_done(self, job: Job) -> bool:
        entry = self.entry(job)
        return bool(entry and entry.state == DONE)

    def intend(self, plan: Plan) -> None:
        job = plan.job
        self.deps.ids.intend(job.stream, job.source_id, job.kind, plan.asset_type)

    def execute_each(self, group: list[Plan]) -> GroupResult:
        """Write the plans one at a time; a record's refusal is its result, not the group's."""
        return [self._execute_alone(plan) for plan in group]

    def _execute_alone(self, plan: Plan) -> RecordError | None:
        try:
            self.execute_one(plan)
        except LexfulHTTPError as exc:
            if not rejectable(exc):
                raise
            return RecordError(exc.message, exc.status)
        except RecordError as exc:
            return exc
        return None


class ChildHandler(Handler):
    """A link or a file: it hangs on an asset and goes with one DELETE under that asset.

    Deleted when its record comes with ``_sdc_deleted_at`` (``plan_delete``) or when an
    ACTIVATE_VERSION run's full set no longer holds it (the engine's sweep, ``delete_entry``).
    """

    def child_path(self, asset_type: str, parent_id: str, child_id: str) -> str:
        raise NotImplementedError

    def parent_of(self, entry: Entry) -> str | None:
        """The Lexful id of the asset ``entry`` hangs on (None: unknown)."""
        return entry.parent_id

    def plan_delete(self, job: Job, parent: Destination) -> Plan:
        entry = self.entry(job)
        if not entry or entry.state != DONE or not entry.target_id:
            return Plan(job, SKIP, {}, DELETED_HASH, extra=NEVER_COPIED)
        action = UNCHANGED if entry.body_hash == DELETED_HASH else DELETE
        asset_type = entry.asset_type or parent.asset_type or job.record.get("asset_type")
        plan = Plan(job, action, {}, DELETED_HASH, entry.target_id, asset_type=asset_type)
        plan.parent_id = entry.parent_id or parent.id
        return plan

    def execute_delete(self, plan: Plan) -> None:
        assert plan.asset_type is not None
        assert plan.parent_id is not None
        assert plan.target_id is not None
        self.delete(plan.asset_type, plan.parent_id, plan.target_id)
        plan.result_id = plan.target_id

    def delete_entry(self, entry: Entry) -> None:
        """Delete what ``entry`` wrote; a RecordError when where it hangs is not known."""
        parent = self.parent_of(entry)
        if parent is None or not entry.asset_type or not entry.target_id:
            msg = "its asset is not in the id map (written by an older target-lexful)"
            raise RecordError(msg)
        self.delete(entry.asset_type, parent, entry.target_id)

    def delete(self, asset_type: str, parent_id: str, child_id: str) -> None:
        try:
            self.deps.client.request("DELETE", self.child_path(asset_type, parent_id, child_id))
        except LexfulHTTPError as exc:
            if exc.status != 404:
                raise  # a 404: already gone, which is what was asked


def match_keys(match_on: dict[str, list[str]], stream: str, route: Route) -> list[str]:
    """The ``match_on`` keys of a stream: named by the stream, else by what it writes to
    (an asset type's name or its stream name, ``organizations``)."""
    names = [stream]
    if route.asset_type:
        names += [route.asset_type, contract.stream_name(route.asset_type)]
    names.append(route.kind)
    return next((list(match_on[n]) for n in names if match_on.get(n)), [])


def bulk_refused(exc: LexfulHTTPError) -> bool:
    """A bulk call refused for its content: one bad record refuses it all, so write each."""
    return exc.status < 500 and exc.status not in (401, 403, 429)


def is_deleted(record: dict[str, Any]) -> bool:
    return bool(record.get("_sdc_deleted_at") or record.get("deleted_at"))


def types_of(value: Any) -> tuple[str, ...]:
    """The asset type a record names for a referenced asset, as ``Ref.asset_types``."""
    return (str(value),) if value else ()
