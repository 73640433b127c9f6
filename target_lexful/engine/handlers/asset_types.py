"""Asset types: created, or extended with the properties and references they lack.

Only with ``create_asset_types``; without it a missing type rejects its records and a
lacking one is only warned about.
"""

from __future__ import annotations

from typing import Any

from connector_core.target import RecordError, json_safe, stable_hash
from lexful_api import contract
from target_lexful.engine.handlers.base import GroupResult, Handler
from target_lexful.engine.model import (
    ASSET_TYPES,
    CREATE,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
)

_PROPERTY_KEYS = (
    "name",
    "type",
    "display_name",
    "description",
    "required",
    "enum",
    "array",
    "file_rules",
)
_REFERENCE_KEYS = ("name", "display_name", "required", "multiple")


class AssetTypeHandler(Handler):
    """Asset types, matched by name: created or extended (with create_asset_types) as needed."""

    kind = ASSET_TYPES

    def plan(self, job: Job) -> Plan:
        rec = job.record
        name = rec.get("name")
        if not name:
            msg = "asset type has no name"
            raise RecordError(msg)
        props = [_clean_property(p) for p in rec.get("properties") or []]
        refs = [_clean_reference(r) for r in rec.get("references") or []]
        existing = self.deps.destination.asset_type(name)
        if existing is None:
            return self._plan_create(job, name, props, refs)
        changes = _additions(existing, props, refs)
        digest = stable_hash({"name": name, "properties": props, "references": refs})
        if not changes:
            return Plan(job, UNCHANGED, {}, digest, existing["id"])
        if not self.deps.create_asset_types:
            self.deps.logger.warning(
                "asset type %r lacks %s of the source; records using them will be rejected "
                "(set create_asset_types to add them)",
                name,
                " and ".join(sorted(changes)),
            )
            return Plan(job, UNCHANGED, {}, digest, existing["id"])
        if self.deps.dry_run:  # the streams that follow see the type as extended
            self.deps.destination.plan_asset_type({**existing, **changes})
        return Plan(job, UPDATE, changes, digest, existing["id"], changes)

    def _plan_create(
        self, job: Job, name: str, props: list[dict[str, Any]], refs: list[dict[str, Any]]
    ) -> Plan:
        if not self.deps.create_asset_types:
            msg = (
                f"asset type {name!r} does not exist in the target account "
                "(set create_asset_types to create it)"
            )
            raise RecordError(msg)
        body = {"name": name, "properties": props, "references": refs}
        for key in ("display_name", "description"):
            if job.record.get(key) is not None:
                body[key] = job.record[key]
        if self.deps.dry_run:  # the streams that follow see the type as created
            self.deps.destination.plan_asset_type(body)
        return Plan(job, CREATE, body, stable_hash(body))

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        # One group, written in order: a type is created before the types that reference it.
        return [_referenced_first(plans)] if plans else []

    def execute(self, group: list[Plan]) -> GroupResult:
        return self.execute_each(group)

    def execute_one(self, plan: Plan) -> None:
        client = self.deps.client
        if plan.action == CREATE:
            self.intend(plan)
            plan.result_id = client.send_json("POST", contract.asset_types_path(), plan.body)["id"]
        else:
            assert plan.target_id is not None
            client.send_json("PATCH", contract.asset_types_path(plan.target_id), plan.changes)
            plan.result_id = plan.target_id
        self.deps.destination.forget()  # the streams that follow may write assets of this type


def _additions(
    existing: dict[str, Any], props: list[dict[str, Any]], refs: list[dict[str, Any]]
) -> dict[str, Any]:
    """The properties and references the existing type lacks, appended to those it has.

    A system type only takes extension fields (``EXT_PREFIX``): its own are the API's.
    """
    system = existing.get("is_system") or existing["name"].startswith(contract.SYSTEM_PREFIX)
    changes = {}
    for key, wanted, clean in (
        ("properties", props, _clean_property),
        ("references", refs, _clean_reference),
    ):
        have = [clean(x) for x in existing.get(key) or []]
        names = {x["name"] for x in have}
        missing = [
            x
            for x in wanted
            if x["name"] not in names and (not system or x["name"].startswith(contract.EXT_PREFIX))
        ]
        if missing:
            changes[key] = have + missing
    return changes


def _referenced_first(plans: list[Plan]) -> list[Plan]:
    """Asset types ordered so that the targets of a type's references come before it."""
    by_name = {p.body.get("name") or p.job.record.get("name"): p for p in plans}
    ordered: list[Plan] = []
    seen: set[str | None] = set()

    def visit(name: str | None) -> None:  # a plan without a name is visited too, under None
        if name in seen or name not in by_name:
            return
        seen.add(name)
        for ref in by_name[name].job.record.get("references") or []:
            for target in contract.reference_targets(ref):
                visit(target)
        ordered.append(by_name[name])

    for name in by_name:
        visit(name)
    placed = {id(p) for p in ordered}
    return ordered + [p for p in plans if id(p) not in placed]  # same name twice: as they came


def _clean_property(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: json_safe(prop[k]) for k in _PROPERTY_KEYS if prop.get(k) is not None}


def _clean_reference(ref: dict[str, Any]) -> dict[str, Any]:
    out = {k: ref[k] for k in _REFERENCE_KEYS if ref.get(k) is not None}
    out["target_asset_types"] = contract.reference_targets(ref)
    return out
