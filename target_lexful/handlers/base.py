"""What every handler shares: the context it writes with, the two steps, and error triage.

A handler is used in two steps by the writer: ``plan`` (decide create, update or unchanged;
may read), then ``execute`` on groups of plans (the writes). Both run on worker threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lexful_api import LexfulClient, LexfulHTTPError
from target_lexful.catalog import Catalog
from target_lexful.file_sources import FileSources
from target_lexful.id_map import DONE, Entry, IdMap
from target_lexful.model import Job, Plan, RecordError, Ref, rejectable
from target_lexful.values import stable_hash


@dataclass
class Context:
    client: LexfulClient
    ids: IdMap
    catalog: Catalog
    match_on: dict[str, list[str]]
    create_asset_types: bool
    logger: logging.Logger
    dry_run: bool = False
    # The default allows no local path and no URL: a Context must be given the settings.
    file_sources: FileSources = field(default_factory=FileSources)


GroupResult = list[RecordError | None]


class Handler:
    """The default: one record, one id, written alone."""

    kind: ClassVar[str]

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def source_id(self, record: dict[str, Any], key_properties: list[str]) -> str:
        if record.get("id") not in (None, ""):
            return str(record["id"])
        if key_properties and all(record.get(k) is not None for k in key_properties):
            return "|".join(str(record[k]) for k in key_properties)
        # No key at all: the content is the key, so the same record sent twice is one record.
        return "sha256:" + stable_hash(
            {k: v for k, v in record.items() if not k.startswith("_sdc")}
        )

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
        return self.ctx.ids.get(job.stream, job.source_id)

    def is_done(self, job: Job) -> bool:
        entry = self.entry(job)
        return bool(entry and entry.state == DONE)

    def intend(self, plan: Plan) -> None:
        job = plan.job
        self.ctx.ids.intend(job.stream, job.source_id, job.kind, plan.asset_type)

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


def bulk_refused(exc: LexfulHTTPError) -> bool:
    """A bulk call refused for its content: one bad record refuses it all, so write each."""
    return exc.status < 500 and exc.status not in (401, 403, 429)


def is_deleted(record: dict[str, Any]) -> bool:
    return bool(record.get("_sdc_deleted_at") or record.get("deleted_at"))


def types_of(value: Any) -> tuple[str, ...]:
    """The asset type a record names for a referenced asset, as ``Ref.asset_types``."""
    return (str(value),) if value else ()
