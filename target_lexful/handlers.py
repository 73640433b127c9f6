"""How each kind of record is written: the body, its references, create/update, the calls.

A handler is used in two steps by the writer: ``plan`` (decide create, update or unchanged;
may read), then ``execute`` on groups of plans (the writes). Both run on worker threads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from lexful_api import LexfulClient, LexfulHTTPError, contract
from target_lexful import files
from target_lexful.catalog import Catalog, iter_list, property_types, reference_defs
from target_lexful.id_map import DONE, INTENT, Entry, IdMap
from target_lexful.model import (
    ASSET,
    CREATE,
    DELETE,
    ORGANIZATIONS,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
    RecordError,
    Ref,
)
from target_lexful.values import is_uuid, json_safe, stable_hash

DELETED_HASH = "deleted"
_RECOVERY_SLACK_S = 120  # clock skew between this machine and the API, when recovering intents
_ORG_READ_ONLY = frozenset({"id", "labels", *contract.AUDIT_FIELDS})
_ASSET_READ_ONLY = frozenset(
    {"id", "organization_name", "asset_type", "labels", *contract.AUDIT_FIELDS}
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


@dataclass
class Context:
    client: LexfulClient
    ids: IdMap
    catalog: Catalog
    match_on: dict[str, list[str]]
    create_asset_types: bool
    logger: logging.Logger
    dry_run: bool = False


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

    def intend(self, plan: Plan) -> None:
        job = plan.job
        self.ctx.ids.intend(job.stream, job.source_id, job.kind, plan.asset_type)


# --- organizations and assets ------------------------------------------------------------------


class RecordHandler(Handler):
    """What organizations and assets share: matching, recovery after a crash, PATCH of changes."""

    def list_path(self, job: Job) -> str:
        raise NotImplementedError

    def item_path(self, job: Job, target_id: str) -> str:
        raise NotImplementedError

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def plan_upsert(self, job: Job, body: dict[str, Any], asset_type: str | None) -> Plan:
        digest = stable_hash(body)
        entry = self.entry(job)
        if entry and entry.state == DONE and entry.target_id:
            # Known to the id map: compare with what we wrote last, no need to read it back.
            action = UNCHANGED if entry.body_hash == digest else UPDATE
            return Plan(job, action, body, digest, entry.target_id, body, asset_type)
        existing = job.existing
        if existing is None and entry and entry.state == INTENT:
            existing = self.recover(job, body, entry.changed_at)
        if existing is None:
            existing = self.match(job, body)
        if existing is not None:
            changes = diff(body, existing)
            action = UPDATE if changes else UNCHANGED
            return Plan(job, action, body, digest, existing["id"], changes, asset_type)
        return Plan(job, CREATE, body, digest, asset_type=asset_type)

    def plan_delete(self, job: Job, asset_type: str | None) -> Plan:
        entry = self.entry(job)
        if not entry or entry.state != DONE or not entry.target_id:
            msg = "deleted in the source (_sdc_deleted_at is set) and never copied: not created"
            raise RecordError(msg)
        action = UNCHANGED if entry.body_hash == DELETED_HASH else DELETE
        return Plan(job, action, {}, DELETED_HASH, entry.target_id, asset_type=asset_type)

    def match(self, job: Job, body: dict[str, Any]) -> dict[str, Any] | None:
        keys = self.ctx.match_on.get(job.stream)
        if not keys:
            return None
        params = {}
        for key in keys:
            value = body.get(key)
            if value is None:
                msg = f"match_on key {key!r} has no value in this record"
                raise RecordError(msg)
            params[key] = filter_value(value)
        items = self._find(job, params, 2)
        if len(items) > 1:
            msg = f"match_on {keys} matches more than one existing record: cannot tell which"
            raise RecordError(msg)
        return items[0] if items else None

    def recover(self, job: Job, body: dict[str, Any], intended_at: float) -> dict[str, Any] | None:
        """A create may have succeeded before the last run died: look for what it made."""
        keys = self.ctx.match_on.get(job.stream)
        if keys and all(body.get(k) is not None for k in keys):
            params = {k: filter_value(body[k]) for k in keys}
        else:
            params = self.natural_filter(job, body)
        if not params:
            return None
        since = dt.datetime.fromtimestamp(intended_at - _RECOVERY_SLACK_S, dt.timezone.utc)
        params["created_at[gte]"] = contract.format_timestamp(since)
        # Created since the intent and equal in every field we would write: ours.
        found = next((i for i in self._find(job, params, 100) if not diff(body, i)), None)
        if found:
            self.ctx.logger.info(
                "%s %s: found the record an interrupted run created (%s)",
                job.stream,
                job.source_id,
                found["id"],
            )
        return found

    def prefetch(self, jobs: list[Job]) -> None:
        # A record whose own id is a Lexful id of this account is that record: update it.
        unknown = [j for j in jobs if is_uuid(j.source_id) and not _is_done(self.entry(j))]
        by_id = {j.source_id: j for j in unknown}
        ids = list(by_id)
        for start in range(0, len(ids), contract.BULK_LIMIT):
            chunk = ids[start : start + contract.BULK_LIMIT]
            job = by_id[chunk[0]]
            for item in self._find(job, {"id[in]": ",".join(chunk)}, len(chunk)):
                if item.get("id") in by_id:
                    by_id[item["id"]].existing = item

    def execute_one(self, plan: Plan) -> None:
        job = plan.job
        if plan.action == CREATE:
            self.intend(plan)
            created = self.ctx.client.send_json("POST", self.list_path(job), plan.body)
            plan.result_id = created["id"]
        elif plan.action == UPDATE:
            assert plan.target_id is not None
            try:
                self.ctx.client.send_json(
                    "PATCH", self.item_path(job, plan.target_id), plan.changes or plan.body
                )
            except LexfulHTTPError as exc:
                if exc.status != 404:
                    raise
                # Deleted in Lexful since we wrote it: the source still has it, so write it again.
                plan.action = CREATE
                self.execute_one(plan)
                return
            plan.result_id = plan.target_id
        elif plan.action == DELETE:
            assert plan.target_id is not None
            try:
                self.ctx.client.request("DELETE", self.item_path(job, plan.target_id))
            except LexfulHTTPError as exc:
                if exc.status != 404:
                    raise
            plan.result_id = plan.target_id

    def _find(self, job: Job, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        query = {**params, "limit": max(1, limit), "sort": "created_at,id", "order": "ASC,ASC"}
        return contract.list_items(self.ctx.client.get_json(self.list_path(job), query))


class OrganizationHandler(RecordHandler):
    kind = ORGANIZATIONS

    def refs(self, job: Job) -> list[Ref]:
        parent = job.record.get("parent_id")
        return [Ref("parent_id", str(parent), (ORGANIZATIONS,))] if parent else []

    def list_path(self, job: Job) -> str:
        return contract.organizations_path()

    def item_path(self, job: Job, target_id: str) -> str:
        return contract.organizations_path(target_id)

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("slug"):
            return {"slug": body["slug"]}  # unique in the account [D]
        return {k: filter_value(body[k]) for k in ("name", "type") if body.get(k) is not None}

    def plan(self, job: Job) -> Plan:
        if is_deleted(job.record):
            return self.plan_delete(job, None)
        body: dict[str, Any] = {}
        for key, value in job.record.items():
            if key in _ORG_READ_ONLY or key.startswith("_sdc_") or value is None:
                continue
            body[key] = json_safe(value)
        if job.record.get("parent_id"):
            parent = job.target_of(str(job.record["parent_id"]))
            assert parent is not None  # the writer resolved it before planning
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
            answer = self.ctx.client.send_json(
                "POST", contract.organizations_path(), [p.body for p in group]
            )
        except LexfulHTTPError as exc:
            if exc.status >= 500 or exc.status in (401, 403, 429):
                raise
            # One bad record refuses the whole bulk request: write them one by one to find it.
            return [_single(self, plan) for plan in group]
        items = contract.list_items(answer)
        if len(items) != len(group):
            msg = f"bulk create answered {len(items)} organizations for {len(group)} sent"
            raise RuntimeError(msg)
        for plan, item in zip(group, items, strict=True):
            plan.result_id = item["id"]
        return [None] * len(group)


class AssetHandler(RecordHandler):
    kind = ASSET

    def type_def(self, job: Job) -> dict[str, Any]:
        assert job.route.asset_type is not None
        type_def = self.ctx.catalog.asset_type(job.route.asset_type)
        if type_def is None:
            msg = f"asset type {job.route.asset_type!r} does not exist in the target account"
            raise RecordError(msg)
        return type_def

    def refs(self, job: Job) -> list[Ref]:
        out = []
        org = job.record.get("organization_id")
        if org:
            out.append(Ref("organization_id", str(org), (ORGANIZATIONS,)))
        definitions = reference_defs(self.ctx.catalog.asset_type(job.route.asset_type or ""))
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
        kinds = property_types(self.ctx.catalog.asset_type(job.route.asset_type or ""))
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
        if self.ctx.dry_run:
            # Nothing reaches the API to validate it, so check what the contract says [D].
            check_asset(plan.body, type_def, creating=plan.action == CREATE)
        return plan

    def body(self, job: Job, type_def: dict[str, Any]) -> dict[str, Any]:
        kinds = property_types(type_def)
        body: dict[str, Any] = {}
        for key, value in job.record.items():
            if key in _ASSET_READ_ONLY or key.startswith("_sdc_"):
                continue
            if key in ("organization_id", "references") or value is None:
                continue
            if key == "name" and "name" not in kinds:
                continue  # derived by the API unless the type has a name property [A]
            if contract.is_masked(value):
                continue  # never overwrite a real secret with the mask
            if kinds.get(key) == "file":
                continue  # set only by completing an upload with property_name
            if key == "owned_by" and value not in self.ctx.catalog.user_ids():
                continue  # a user of another account (users cannot be copied): left unset
            body[key] = json_safe(value)
        org = job.target_of(job.record.get("organization_id"))
        if org is not None:
            body["organization_id"] = org.id
        references = {}
        for name, value in (job.record.get("references") or {}).items():
            if isinstance(value, list):
                references[name] = [t.id for v in value if (t := job.target_of(str(v)))]
            elif value:
                target = job.target_of(str(value))
                references[name] = target.id if target else None
        if references:
            body["references"] = references
        return body


# --- links and files ---------------------------------------------------------------------------


class RelatedAssetHandler(Handler):
    kind = "related_assets"

    def source_id(self, record: dict[str, Any], key_properties: list[str]) -> str:
        for key in ("asset_id", "related_asset_id"):
            if not record.get(key):
                msg = f"link has no {key}"
                raise RecordError(msg)
        return f"{record['asset_id']}->{record['related_asset_id']}"

    def refs(self, job: Job) -> list[Ref]:
        rec = job.record
        return [
            Ref("asset_id", str(rec["asset_id"]), (ASSET,), _types(rec.get("asset_type"))),
            Ref(
                "related_asset_id",
                str(rec["related_asset_id"]),
                (ASSET,),
                _types(rec.get("related_asset_type")),
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
        # One PUT per source asset carries all its links.
        by_source: dict[tuple[str, str], list[Plan]] = {}
        for plan in plans:
            by_source.setdefault(plan.extra, []).append(plan)
        size = contract.BULK_LIMIT
        return [g[i : i + size] for g in by_source.values() for i in range(0, len(g), size)]

    def execute(self, group: list[Plan]) -> GroupResult:
        source_type, source_id = group[0].extra
        try:
            self.ctx.client.send_json(
                "PUT", contract.related_path(source_type, source_id), [p.body for p in group]
            )
        except LexfulHTTPError as exc:
            if len(group) == 1 or exc.status >= 500 or exc.status in (401, 403, 429):
                raise
            return [_single(self, plan) for plan in group]
        for plan in group:
            plan.result_id = plan.body["asset_id"]
        return [None] * len(group)


class FileHandler(Handler):
    kind = "files"

    def refs(self, job: Job) -> list[Ref]:
        asset_id = job.record.get("asset_id")
        if not asset_id:
            msg = "file has no asset_id"
            raise RecordError(msg)
        return [Ref("asset_id", str(asset_id), (ASSET,), _types(job.record.get("asset_type")))]

    def plan(self, job: Job) -> Plan:
        rec = job.record
        if is_deleted(rec):
            msg = "deleted in the source (_sdc_deleted_at is set): not uploaded"
            raise RecordError(msg)
        asset = job.target_of(str(rec["asset_id"]))
        assert asset is not None
        asset_type = asset.asset_type or rec.get("asset_type")
        name = rec.get("name") or rec.get("original_name")
        if not asset_type or not name:
            msg = "file has no name or its asset's type is unknown"
            raise RecordError(msg)
        meta = {
            "name": name,
            "original_name": rec.get("original_name") or name,
            "file_extension": rec.get("file_extension"),
            "mime_type": rec.get("mime_type") or files.DEFAULT_MIME,
            "is_public": rec.get("is_public"),
            "property_name": rec.get("property_name"),
        }
        meta = {k: v for k, v in meta.items() if v is not None}
        digest = stable_hash(
            {**meta, "asset": asset.id, "size": rec.get("size"), "sha256": rec.get("sha256")}
        )
        entry = self.entry(job)
        if entry and entry.state == DONE and entry.body_hash == digest:
            return Plan(job, UNCHANGED, meta, digest, entry.target_id, asset_type=asset_type)
        try:
            content = files.load_content(rec, self.ctx.client)
        except files.FileContentError as exc:
            raise RecordError(str(exc)) from None
        meta["size"] = content.size
        same = self._same_files(asset_type, asset.id, meta)
        done = [f["id"] for f in same if f.get("upload_status", "completed") == "completed"]
        if done:
            content.discard()  # same asset, name and size: already uploaded
            return Plan(job, UNCHANGED, meta, digest, done[0], asset_type=asset_type)
        plan = Plan(job, CREATE, meta, digest, asset_type=asset_type)
        # An upload an interrupted run left pending is ours: removed before uploading again.
        stale = [f["id"] for f in same] if entry and entry.state == INTENT else []
        plan.extra = (asset.id, content, stale)
        return plan

    def execute_one(self, plan: Plan) -> None:
        asset_id, content, stale = plan.extra
        assert plan.asset_type is not None
        client = self.ctx.client
        try:
            for file_id in stale:
                with contextlib.suppress(LexfulHTTPError):
                    client.request(
                        "DELETE", contract.files_path(plan.asset_type, asset_id, file_id)
                    )
            self.intend(plan)
            done = files.upload(client, plan.asset_type, asset_id, plan.body, content)
            plan.result_id = done["id"]
        finally:
            content.discard()

    def _same_files(
        self, asset_type: str, asset_id: str, meta: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [
            item
            for item in iter_list(self.ctx.client, contract.files_path(asset_type, asset_id))
            if item.get("name") == meta["name"] and item.get("size") == meta["size"]
        ]


# --- types and users -----------------------------------------------------------------------------


class OrganizationTypeHandler(Handler):
    kind = "organization_types"

    def plan(self, job: Job) -> Plan:
        name = job.record.get("name")
        if not name:
            msg = "organization type has no name"
            raise RecordError(msg)
        body = {"name": name}
        if job.record.get("description") is not None:
            body["description"] = job.record["description"]
        existing = self.ctx.catalog.organization_types().get(name)
        if existing is not None:
            return Plan(job, UNCHANGED, body, stable_hash(body), existing["id"])
        return Plan(job, CREATE, body, stable_hash(body))

    def execute_one(self, plan: Plan) -> None:
        self.intend(plan)
        created = self.ctx.client.send_json("POST", contract.organization_types_path(), plan.body)
        plan.result_id = created["id"]
        self.ctx.catalog.forget()


class AssetTypeHandler(Handler):
    kind = "asset_types"

    def plan(self, job: Job) -> Plan:
        rec = job.record
        name = rec.get("name")
        if not name:
            msg = "asset type has no name"
            raise RecordError(msg)
        props = [_clean_property(p) for p in rec.get("properties") or []]
        refs = [_clean_reference(r) for r in rec.get("references") or []]
        existing = self.ctx.catalog.asset_type(name)
        if existing is None:
            return self._plan_create(job, name, props, refs)
        system = bool(existing.get("is_system")) or name.startswith(contract.SYSTEM_PREFIX)
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
                if x["name"] not in names
                and (not system or x["name"].startswith(contract.EXT_PREFIX))
            ]
            if missing:
                changes[key] = have + missing
        digest = stable_hash({"name": name, "properties": props, "references": refs})
        if not changes:
            return Plan(job, UNCHANGED, {}, digest, existing["id"])
        if not self.ctx.create_asset_types:
            self.ctx.logger.warning(
                "asset type %r lacks %s of the source; records using them will be rejected "
                "(set create_asset_types to add them)",
                name,
                " and ".join(sorted(changes)),
            )
            return Plan(job, UNCHANGED, {}, digest, existing["id"])
        return Plan(job, UPDATE, changes, digest, existing["id"], changes)

    def _plan_create(
        self, job: Job, name: str, props: list[dict[str, Any]], refs: list[dict[str, Any]]
    ) -> Plan:
        if not self.ctx.create_asset_types:
            msg = (
                f"asset type {name!r} does not exist in the target account "
                "(set create_asset_types to create it)"
            )
            raise RecordError(msg)
        body = {"name": name, "properties": props, "references": refs}
        for key in ("display_name", "description"):
            if job.record.get(key) is not None:
                body[key] = job.record[key]
        return Plan(job, CREATE, body, stable_hash(body))

    def groups(self, plans: list[Plan]) -> list[list[Plan]]:
        # One group, written in order: a type is created before the types that reference it.
        return [_referenced_first(plans)] if plans else []

    def execute(self, group: list[Plan]) -> GroupResult:
        return [_single(self, plan) for plan in group]

    def execute_one(self, plan: Plan) -> None:
        client = self.ctx.client
        if plan.action == CREATE:
            self.intend(plan)
            plan.result_id = client.send_json("POST", contract.asset_types_path(), plan.body)["id"]
        else:
            assert plan.target_id is not None
            client.send_json("PATCH", contract.asset_types_path(plan.target_id), plan.changes)
            plan.result_id = plan.target_id
        self.ctx.catalog.forget()


class UserHandler(Handler):
    kind = "users"

    def plan(self, job: Job) -> Plan:
        msg = "users cannot be created through the Lexful API: invite them in Lexful"
        raise RecordError(msg)


HANDLERS: tuple[type[Handler], ...] = (
    OrganizationTypeHandler,
    AssetTypeHandler,
    OrganizationHandler,
    AssetHandler,
    RelatedAssetHandler,
    FileHandler,
    UserHandler,
)


# --- helpers -------------------------------------------------------------------------------------

_ASSET_WRITABLE = frozenset({"organization_id", "references", "visibility", "owned_by"})


def check_asset(body: dict[str, Any], type_def: dict[str, Any], *, creating: bool) -> None:
    """The API's validation of an asset body, as far as the type definition tells (dry_run)."""
    props = {p["name"]: p for p in type_def.get("properties") or []}
    name = type_def.get("name")
    for key, value in body.items():
        if key not in props and key not in _ASSET_WRITABLE:
            msg = f"{key}: unknown field for asset type {name}"
            raise RecordError(msg, 400)
        allowed = props.get(key, {}).get("enum")
        if allowed and value is not None and value not in allowed:
            msg = f"{key}: {value!r} is not one of {allowed}"
            raise RecordError(msg, 400)
    if creating:
        if "organization_id" not in body:
            raise RecordError("organization_id: is required", 400)
        for prop in props.values():
            if prop.get("required") and body.get(prop["name"]) is None:
                msg = f"{prop['name']}: is required"
                raise RecordError(msg, 400)


def diff(body: dict[str, Any], existing: dict[str, Any]) -> dict[str, Any]:
    """The part of ``body`` that differs from the record as Lexful has it."""
    changes = {}
    for key, value in body.items():
        if key == "references":
            current = existing.get("references") or {}
            if any(_norm_ref(v) != _norm_ref(current.get(k)) for k, v in value.items()):
                changes[key] = value
        elif contract.is_masked(existing.get(key)):
            continue  # a secret reads back masked: it cannot be compared, only hashed
        elif json_safe(value) != json_safe(existing.get(key)):
            changes[key] = value
    return changes


def filter_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_deleted(record: dict[str, Any]) -> bool:
    return bool(record.get("_sdc_deleted_at") or record.get("deleted_at"))


def _single(handler: Handler, plan: Plan) -> RecordError | None:
    try:
        handler.execute_one(plan)
    except LexfulHTTPError as exc:
        if not rejectable(exc):
            raise
        return RecordError(exc.message, exc.status)
    except RecordError as exc:
        return exc
    return None


def rejectable(exc: LexfulHTTPError) -> bool:
    """An answer about this record (validation, conflict, not found), not about the run."""
    return 400 <= exc.status < 500 and exc.status not in (401, 403, 408, 429)


def _referenced_first(plans: list[Plan]) -> list[Plan]:
    """Asset types ordered so that the targets of a type's references come before it."""
    by_name = {p.body.get("name") or p.job.record.get("name"): p for p in plans}
    ordered: list[Plan] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
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


def _is_done(entry: Entry | None) -> bool:
    return bool(entry and entry.state == DONE)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v]
    return [value] if value else []


def _types(value: Any) -> tuple[str, ...]:
    return (str(value),) if value else ()


def _norm_ref(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def _clean_property(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: json_safe(prop[k]) for k in _PROPERTY_KEYS if prop.get(k) is not None}


def _clean_reference(ref: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: ref[k]
        for k in ("name", "display_name", "required", "multiple")
        if ref.get(k) is not None
    }
    out["target_asset_types"] = contract.reference_targets(ref)
    return out
