"""Links between assets (the related_assets stream): one PUT per source asset carries its links."""

from __future__ import annotations

from typing import Any

from lexful_api import LexfulHTTPError, contract
from target_lexful.handlers.base import GroupResult, Handler, bulk_refused, is_deleted, types_of
from target_lexful.id_map import DONE
from target_lexful.model import (
    ASSET,
    CREATE,
    RELATED_ASSETS,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
    RecordError,
    Ref,
)
from target_lexful.values import stable_hash


class RelatedAssetHandler(Handler):
    kind = RELATED_ASSETS

    def source_id(self, record: dict[str, Any], key_properties: list[str]) -> str:
        # A link has no id of its own: its two ends are its key.
        for key in ("asset_id", "related_asset_id"):
            if not record.get(key):
                msg = f"link has no {key}"
                raise RecordError(msg)
        return f"{record['asset_id']}->{record['related_asset_id']}"

    def refs(self, job: Job) -> list[Ref]:
        rec = job.record
        return [
            Ref("asset_id", str(rec["asset_id"]), (ASSET,), types_of(rec.get("asset_type"))),
            Ref(
                "related_asset_id",
                str(rec["related_asset_id"]),
                (ASSET,),
                types_of(rec.get("related_asset_type")),
            ),
        ]

    def plan(self, job: Job) -> Plan:
        if is_deleted(job.record):
            msg = "deleted in the source (_sdc_deleted_at is set): not linked"
            raise RecordError(msg)
        source = job.target_of(str(job.record["asset_id"]))
        related = job.target_of(str(job.record["related_asset_id"]))
        assert source is not None
        assert related is not None
        source_type = source.asset_type or job.record.get("asset_type")
        if not source_type:
            msg = "the asset type of asset_id is unknown"
            raise RecordError(msg)
        body = {"asset_id": related.id}
        if job.record.get("description") is not None:
            body["description"] = job.record["description"]
        digest = stable_hash({"from": source.id, **body})
        entry = self.entry(job)
        action = CREATE
        if entry and entry.state == DONE:
            action = UNCHANGED if entry.body_hash == digest else UPDATE
        plan = Plan(job, action, body, digest, related.id, asset_type=source_type)
        plan.extra = (source_type, source.id)
        return plan

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        by_source: dict[tuple[str, str], list[Plan]] = {}
        for plan in plans:
            by_source.setdefault(plan.extra, []).append(plan)
        size = contract.BULK_LIMIT
        return [g[i : i + size] for g in by_source.values() for i in range(0, len(g), size)]

    def execute(self, group: list[Plan]) -> GroupResult:
        if len(group) == 1:
            return super().execute(group)
        try:
            self._put(group)
        except LexfulHTTPError as exc:
            if not bulk_refused(exc):
                raise
            return self.execute_each(group)
        return [None] * len(group)

    def execute_one(self, plan: Plan) -> None:
        self._put([plan])

    def _put(self, group: list[Plan]) -> None:
        source_type, source_id = group[0].extra
        path = contract.related_path(source_type, source_id)
        self.ctx.client.send_json("PUT", path, [p.body for p in group])
        for plan in group:
            plan.result_id = plan.body["asset_id"]
