"""Links between assets (the related_assets stream): one PUT per source asset carries its links."""

from __future__ import annotations

from typing import Any

from connector_core.target import DELETED_HASH, DONE, Entry, RecordError, is_uuid, stable_hash
from lexful_api import LexfulHTTPError, contract
from target_lexful.engine.handlers.base import (
    ChildHandler,
    GroupResult,
    bulk_refused,
    is_deleted,
    types_of,
)
from target_lexful.engine.model import (
    ASSET,
    CREATE,
    DELETE,
    RELATED_ASSETS,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
    Ref,
    Route,
)

_ARROW = "->"


class RelatedAssetHandler(ChildHandler):
    """Links between assets: keyed by their two ends, written with one PUT per source asset."""

    kind = RELATED_ASSETS

    def source_id(
        self, stream: str, route: Route, record: dict[str, Any], key_properties: list[str]
    ) -> str:
        # A link has no id of its own: its two ends are its key.
        for key in ("asset_id", "related_asset_id"):
            if not record.get(key):
                msg = f"link has no {key}"
                raise RecordError(msg)
        return f"{record['asset_id']}{_ARROW}{record['related_asset_id']}"

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

    def child_path(self, asset_type: str, parent_id: str, child_id: str) -> str:
        return contract.related_path(asset_type, parent_id, child_id)

    def parent_of(self, entry: Entry) -> str | None:
        if entry.parent_id:
            return entry.parent_id
        # Written before the id map kept it: the source asset's id, through the id map, or
        # as it is when it was already an id of this account (not in the id map then).
        source_asset = entry.source_id.split(_ARROW, 1)[0]
        found = self.deps.ids.resolve(source_asset, (ASSET,))
        if found and found.state == DONE and found.target_id:
            return found.target_id
        return source_asset if found is None and is_uuid(source_asset) else None

    def plan(self, job: Job) -> Plan:
        source = job.destination_of("asset_id", job.record["asset_id"])
        related = job.destination_of("related_asset_id", job.record["related_asset_id"])
        assert source is not None
        assert related is not None
        if is_deleted(job.record):
            return self.plan_delete(job, source)
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
        # A link deleted from Lexful (the source had dropped it) is created again.
        if entry and entry.state == DONE and entry.body_hash != DELETED_HASH:
            action = UNCHANGED if entry.body_hash == digest else UPDATE
        plan = Plan(job, action, body, digest, related.id, asset_type=source_type)
        plan.extra = (source_type, source.id)
        plan.parent_id = source.id
        return plan

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        deletes = [[p] for p in plans if p.action == DELETE]  # one DELETE call each
        by_source: dict[tuple[str, str], list[Plan]] = {}
        for plan in plans:
            if plan.action != DELETE:
                by_source.setdefault(plan.extra, []).append(plan)
        size = contract.BULK_LIMIT
        puts = [g[i : i + size] for g in by_source.values() for i in range(0, len(g), size)]
        return deletes + puts

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
        if plan.action == DELETE:
            self.execute_delete(plan)
        else:
            self._put([plan])

    def _put(self, group: list[Plan]) -> None:
        source_type, source_id = group[0].extra
        path = contract.related_path(source_type, source_id)
        self.deps.client.send_json("PUT", path, [p.body for p in group])
        for plan in group:
            plan.result_id = plan.body["asset_id"]
