"""Organizations: written in bulk when created, one at a time when updated or deleted."""

from __future__ import annotations

from typing import Any

from connector_core.target.values import json_safe
from lexful_api import LexfulHTTPError, contract
from target_lexful.engine.handlers.base import GroupResult, bulk_refused, is_deleted
from target_lexful.engine.handlers.records import RecordHandler
from target_lexful.engine.model import CREATE, ORGANIZATIONS, Job, Plan, Ref

_READ_ONLY = frozenset({"id", "labels", *contract.AUDIT_FIELDS})


class OrganizationHandler(RecordHandler):
    """Organizations: matched by slug (else name and type), their parent translated."""

    kind = ORGANIZATIONS

    def refs(self, job: Job) -> list[Ref]:
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
        for key, value in job.record.items():
            if key in _READ_ONLY or key.startswith("_sdc_"):
                continue
            body[key] = json_safe(value)  # a None clears the field (plan_upsert)
        if job.record.get("parent_id") not in (None, ""):
            parent = job.destination_of("parent_id", job.record["parent_id"])
            assert parent is not None  # the engine resolved it before planning
            body["parent_id"] = parent.id
        return self.plan_upsert(job, body, None)

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
        items = contract.list_items(answer)
        if len(items) != len(group):
            msg = f"bulk create answered {len(items)} organizations for {len(group)} sent"
            raise RuntimeError(msg)
        for plan, item in zip(group, items, strict=True):
            plan.result_id = item["id"]
        return [None] * len(group)
