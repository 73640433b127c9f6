"""Assets of every asset type: the body from the record, its references, and dry-run checks."""

from __future__ import annotations

from typing import Any

from connector_core.target import RecordError, json_safe
from lexful_api import contract
from target_lexful.engine.destination_cache import property_types, reference_defs
from target_lexful.engine.dry_checks import check_asset
from target_lexful.engine.handlers.base import is_deleted
from target_lexful.engine.handlers.matched_records import MatchedRecordHandler
from target_lexful.engine.model import ASSET, CREATE, ORGANIZATIONS, Job, Plan, Ref

_READ_ONLY = frozenset({"id", "organization_name", "asset_type", "labels", *contract.AUDIT_FIELDS})
_WRITABLE = frozenset({"organization_id", "references", "visibility", "owned_by"})
_DERIVED = frozenset({"name", "account_id"})  # read back, never an extra field of the source


class AssetHandler(MatchedRecordHandler):
    """Assets of every type: the body from the record, references translated, checked by type."""

    kind = ASSET

    def type_def(self, job: Job) -> dict[str, Any]:
        assert job.route.asset_type is not None
        type_def = self.deps.destination.asset_type(job.route.asset_type)
        if type_def is None:
            msg = f"asset type {job.route.asset_type!r} does not exist in the target account"
            raise RecordError(msg)
        return type_def

    def refs(self, job: Job) -> list[Ref]:
        if is_deleted(job.record):  # a delete needs only the id map: it waits for nothing
            return []
        out = []
        org = job.record.get("organization_id")
        if org not in (None, ""):
            out.append(Ref("organization_id", str(org), (ORGANIZATIONS,)))
        definitions = reference_defs(self.deps.destination.asset_type(job.route.asset_type or ""))
        for name, value in (job.record.get("references") or {}).items():
            targets = tuple(contract.reference_targets(definitions.get(name, {})))
            for source_id in _as_list(value):
                out.append(Ref(f"references.{name}", str(source_id), (ASSET,), targets))
        return out

    def list_path(self, job: Job) -> str:
        assert job.route.asset_type is not None
        return contract.assets_path(job.route.asset_type)

    def item_path(self, job: Job, target_id: str) -> str:
        assert job.route.asset_type is not None
        return contract.assets_path(job.route.asset_type, target_id)

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        # The organization narrows the search; a few short strings narrow it further. The
        # candidates are then compared field by field (``recover``).
        kinds = property_types(self.deps.destination.asset_type(job.route.asset_type or ""))
        params = {"organization_id": body["organization_id"]} if "organization_id" in body else {}
        for key, value in body.items():
            if len(params) >= 4:
                break
            if kinds.get(key) == "string" and isinstance(value, str) and 0 < len(value) <= 200:
                params[key] = value
        return params

    def plan(self, job: Job) -> Plan:
        type_def = self.type_def(job)
        if is_deleted(job.record):
            return self.plan_delete(job, job.route.asset_type)
        plan = self.plan_upsert(job, self.body(job, type_def), job.route.asset_type)
        if self.deps.dry_run:
            # Nothing reaches the API to validate it, so check what the contract says [D].
            check_asset(plan.body, type_def, creating=plan.action == CREATE)
        return plan

    def body(self, job: Job, type_def: dict[str, Any]) -> dict[str, Any]:
        kinds = property_types(type_def)
        extra = [
            k
            for k in job.record
            if k not in kinds
            and k not in _WRITABLE
            and k not in _READ_ONLY
            and k not in _DERIVED
            and not k.startswith("_sdc_")
        ]
        self.deps.extra_fields.handle(job.stream, extra, f"asset type {type_def.get('name')}")
        body = {
            k: json_safe(v)
            for k, v in job.record.items()
            if k not in extra and self._writes(k, v, kinds)
        }
        org = job.destination_of("organization_id", job.record.get("organization_id"))
        if org is not None:
            body["organization_id"] = org.id
        references = _target_references(job)
        if references:
            body["references"] = references
        return body

    def _writes(self, key: str, value: Any, kinds: dict[str, str]) -> bool:
        """Whether a field of the record is written as it is (ids and references are not)."""
        if key in _READ_ONLY or key.startswith("_sdc_"):
            return False
        if key in ("organization_id", "references"):
            return False  # the ids are translated (``body``)
        if key == "name" and "name" not in kinds:
            return False  # derived by the API unless the type has a name property [A]
        if contract.is_masked(value):
            return False  # never overwrite a real secret with the mask
        if kinds.get(key) == "file":
            return False  # set only by completing an upload with property_name
        # A user of another account (users cannot be copied): left unset. A None clears it.
        return key != "owned_by" or value is None or value in self.deps.destination.user_ids()


def _target_references(job: Job) -> dict[str, Any]:
    """The record's references, each source id replaced by the id it has in the target."""
    references: dict[str, list[str] | str | None] = {}
    for name, value in (job.record.get("references") or {}).items():
        field = f"references.{name}"
        if isinstance(value, list):
            references[name] = [t.id for v in value if (t := job.destination_of(field, v))]
        elif value not in (None, ""):
            target = job.destination_of(field, value)
            references[name] = target.id if target else None
        else:
            references[name] = None  # null clears the reference
    return references


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v]
    return [value] if value else []
