"""Organizations: written in bulk when created, one at a time when updated or deleted."""

from __future__ import annotations

import threading
from typing import Any

from connector_core.target import RecordError, json_safe
from lexful_api import LexfulHTTPError, adapt, contract
from target_lexful.engine.dry_checks import check_organization
from target_lexful.engine.handlers.base import GroupResult, HandlerDeps, bulk_refused, is_deleted
from target_lexful.engine.handlers.matched_records import MatchedRecordHandler, diff
from target_lexful.engine.model import (
    CREATE,
    ORGANIZATIONS,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
    Ref,
    rejectable,
)

_READ_ONLY = frozenset({"id", "labels", *contract.AUDIT_FIELDS})


class OrganizationHandler(MatchedRecordHandler):
    """Organizations: matched by slug (else name and type), their parent translated."""

    kind = ORGANIZATIONS

    def __init__(self, deps: HandlerDeps) -> None:
        super().__init__(deps)
        self._slug_lock = threading.Lock()
        self._by_slug: dict[str, dict[str, Any]] = {}  # slugs other organizations hold

    def refs(self, job: Job) -> list[Ref]:
        if is_deleted(job.record):  # a delete needs only the id map: it waits for nothing
            return []
        parent = job.record.get("parent_id")
        return [Ref("parent_id", str(parent), (ORGANIZATIONS,))] if parent not in (None, "") else []

    def list_path(self, job: Job) -> str:
        return contract.organizations_path()

    def item_path(self, job: Job, target_id: str) -> str:
        return contract.organizations_path(target_id)

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("slug"):
            return {"slug": body["slug"]}  # unique in the account [D]
        return {
            k: contract.filter_value(body[k]) for k in ("name", "type") if body.get(k) is not None
        }

    def plan(self, job: Job) -> Plan:
        if is_deleted(job.record):
            return self.plan_delete(job, None)
        body: dict[str, Any] = {}
        extra = []
        for key, value in job.record.items():
            if key in _READ_ONLY or key.startswith("_sdc_"):
                continue
            if key not in contract.ORGANIZATION_FIELDS:
                extra.append(key)
                continue
            body[key] = json_safe(value)  # a None clears the field (plan_upsert)
        self.deps.extra_fields.handle(job.stream, extra, "organizations")
        if job.record.get("parent_id") not in (None, ""):
            parent = job.destination_of("parent_id", job.record["parent_id"])
            assert parent is not None  # the engine resolved it before planning
            body["parent_id"] = parent.id
        plan = self.plan_upsert(job, body, None)
        if self.deps.dry_run and plan.action in (CREATE, UPDATE):
            # Nothing reaches the API to validate it, so check what the contract says [D].
            org_types = set(self.deps.destination.organization_types())
            check_organization(plan.body, org_types, creating=plan.action == CREATE)
        if plan.action == CREATE and body.get("slug"):
            # Found by prefetch with another name: the slug is another organization's.
            taken = self._by_slug.get(body["slug"])
            if taken is not None:
                msg = (
                    f"slug {body['slug']!r} is already used by organization {taken['id']} "
                    f"({taken.get('name')!r})"
                )
                raise RecordError(msg, 409)
        return plan

    def prefetch(self, jobs: list[Job]) -> None:
        """Also: organizations of the account with a record's slug (unique in the account).

        One with the same slug and name is that record (another run, another id map, a
        copy made by hand): it is updated, never created twice.
        """
        super().prefetch(jobs)
        by_slug = {
            str(j.record["slug"]): j
            for j in jobs
            if j.existing is None and j.record.get("slug") and not self.is_done(j)
        }
        slugs = sorted(by_slug)
        for start in range(0, len(slugs), contract.BULK_LIMIT):
            chunk = slugs[start : start + contract.BULK_LIMIT]
            for item in self._find(by_slug[chunk[0]], {"slug[in]": ",".join(chunk)}, len(chunk)):
                job = by_slug.get(str(item.get("slug")))
                if job is None:
                    continue
                if _same(job.record, item):
                    job.existing = item
                else:
                    with self._slug_lock:
                        self._by_slug[str(item["slug"])] = item

    def _create(self, plan: Plan) -> None:
        """A create refused for its slug (409) by the same organization: found, updated."""
        try:
            super()._create(plan)
        except LexfulHTTPError as exc:
            slug = plan.body.get("slug")
            if exc.status != 409 or not slug:
                raise
            found = self._find(plan.job, {"slug": slug}, 1)
            if not found or not _same(plan.job.record, found[0]):
                raise
            plan.target_id = found[0]["id"]
            plan.changes = diff(plan.body, found[0])
            plan.action = UPDATE if plan.changes else UNCHANGED
            if plan.changes:
                self._update(plan)
            plan.result_id = plan.target_id

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        creates = [p for p in plans if p.action == CREATE]
        others = [[p] for p in plans if p.action != CREATE]
        size = contract.BULK_LIMIT
        return [creates[i : i + size] for i in range(0, len(creates), size)] + others

    def execute(self, group: list[Plan]) -> GroupResult:
        if len(group) == 1 or group[0].action != CREATE:
            return super().execute(group)
        for plan in group:
            self.intend(plan)
        try:
            answer = self.deps.client.send_json(
                "POST", contract.organizations_path(), [p.body for p in group]
            )
        except LexfulHTTPError as exc:
            if not bulk_refused(exc):
                raise
            return self.execute_each(group)
        sent = [p.body for p in group]
        try:
            items = adapt.bulk_in_sent_order(sent, contract.list_items(answer))
        except adapt.Unsupported as exc:
            raise RuntimeError(str(exc)) from None
        for plan, item in zip(group, items, strict=True):
            plan.result_id = item["id"]
        # Each read back by its match_on keys, in case another run created it too.
        return [self._converge_alone(plan, item) for plan, item in zip(group, items, strict=True)]

    def _converge_alone(self, plan: Plan, created: dict[str, Any]) -> RecordError | None:
        try:
            self.converge(plan, created)
        except LexfulHTTPError as exc:
            if not rejectable(exc):
                raise
            return RecordError(exc.message, exc.status)
        return None


def _same(record: dict[str, Any], item: dict[str, Any]) -> bool:
    """An organization of the account with the record's slug is the record when named alike."""
    return bool(record.get("name")) and record.get("name") == item.get("name")
