"""Files attached to assets: the content loaded from the record, then the three-step upload.

Loading the content is the core's (``connector_core.target.file_content``), and where it may
come from (files_root, allowed_download_hosts) is ``file_sources``'s;
dry_run checks the source against those rules but reads and fetches nothing.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
from typing import Any

from connector_core.target import DONE, INTENT, RecordError, file_content, stable_hash
from lexful_api import LexfulClient, LexfulHTTPError, contract
from target_lexful.engine.handlers.base import ChildHandler, is_deleted, types_of
from target_lexful.engine.model import (
    ASSET,
    CREATE,
    DELETE,
    DRY_RUN_ID_PREFIX,
    FILES,
    SKIP,
    UNCHANGED,
    Destination,
    Job,
    Plan,
    Ref,
    rejectable,
)

# tap-lexful's file records: ``size`` and ``upload_status`` ("completed" once it has bytes).
SHAPE = file_content.RecordShape(hint="tap-lexful: files_content inline or directory")


class FileHandler(ChildHandler):
    """Files attached to assets: each record's content loaded, then uploaded in three steps."""

    kind = FILES

    def refs(self, job: Job) -> list[Ref]:
        asset_id = job.record.get("asset_id")
        if not asset_id:
            msg = "file has no asset_id"
            raise RecordError(msg)
        return [Ref("asset_id", str(asset_id), (ASSET,), types_of(job.record.get("asset_type")))]

    def child_path(self, asset_type: str, parent_id: str, child_id: str) -> str:
        return contract.files_path(asset_type, parent_id, child_id)

    def plan(self, job: Job) -> Plan:
        asset = job.destination_of("asset_id", job.record["asset_id"])
        assert asset is not None
        plan = self.plan_delete(job, asset) if is_deleted(job.record) else self._plan(job, asset)
        plan.parent_id = plan.parent_id or asset.id
        return plan

    def _plan(self, job: Job, asset: Destination) -> Plan:
        rec = job.record
        status = rec.get(SHAPE.status_key)
        if status not in (None, SHAPE.done_status) and not _has_content(rec):
            why = f"the source file was never uploaded ({SHAPE.status_key} {str(status)[:40]!r})"
            return Plan(job, SKIP, {}, "", extra=why)
        asset_type = asset.asset_type or rec.get("asset_type")
        meta = _meta(rec)
        if not asset_type or not meta:
            msg = "file has no name or its asset's type is unknown"
            raise RecordError(msg)
        digest = stable_hash(
            {**meta, "asset": asset.id, "size": rec.get("size"), "sha256": rec.get("sha256")}
        )
        entry = self.entry(job)
        if entry and entry.state == DONE and entry.body_hash == digest:
            return Plan(job, UNCHANGED, meta, digest, entry.target_id, asset_type=asset_type)
        plan = Plan(job, CREATE, meta, digest, asset_type=asset_type)
        if self.deps.dry_run:
            return self._dry_plan(plan, asset.id)
        try:
            content = file_content.load_content(
                rec, self.deps.client, self.deps.file_sources, SHAPE
            )
        except file_content.FileContentError as exc:
            raise RecordError(str(exc)) from None
        meta["size"] = content.size
        same = self._same_files(asset_type, asset.id, meta)
        # Same asset, name and size is not enough: a file replaced in the source by one of the
        # same name and size has other bytes. Only a file with the same content is this one.
        done = [
            f["id"]
            for f in same
            if f.get("upload_status", "completed") == "completed"
            and self._sha256_of(asset_type, asset.id, f["id"]) == content.sha256
        ]
        if done:
            content.discard()  # already uploaded, byte for byte
            return Plan(job, UNCHANGED, meta, digest, done[0], asset_type=asset_type)
        # An upload an interrupted run left pending is ours: removed before uploading again.
        stale = [f["id"] for f in same] if entry and entry.state == INTENT else []
        plan.extra = (asset.id, content, stale)
        return plan

    def _dry_plan(self, plan: Plan, asset_id: str) -> Plan:
        """The plan without the content: the record's declared size stands in for it."""
        try:
            file_content.check_source(plan.job.record, self.deps.file_sources, SHAPE)
            size = file_content.declared_size(plan.job.record, SHAPE)
        except file_content.FileContentError as exc:
            raise RecordError(str(exc)) from None
        # An asset this dry run would create has a made-up id: nothing to list on it.
        if size is None or plan.asset_type is None or asset_id.startswith(DRY_RUN_ID_PREFIX):
            return plan
        plan.body["size"] = size
        same = self._same_files(plan.asset_type, asset_id, plan.body)
        done = [f["id"] for f in same if f.get("upload_status", "completed") == "completed"]
        # The bytes, when the record tells them without a read: its sha256, or inline content.
        sha = _declared_sha256(plan.job.record)
        if sha is not None:
            done = [f for f in done if self._sha256_of(plan.asset_type, asset_id, f) == sha]
        if done:
            plan.action, plan.target_id = UNCHANGED, done[0]
        return plan

    def execute_one(self, plan: Plan) -> None:
        if plan.action == DELETE:
            self.execute_delete(plan)
            return
        asset_id, content, stale = plan.extra
        assert plan.asset_type is not None
        client = self.deps.client
        try:
            for file_id in stale:
                with contextlib.suppress(LexfulHTTPError):
                    client.request(
                        "DELETE", contract.files_path(plan.asset_type, asset_id, file_id)
                    )
            self.intend(plan)
            done = upload(client, plan.asset_type, asset_id, plan.body, content)
            plan.result_id = done["id"]
        except file_content.FileContentError as exc:  # the local file was swapped after its check
            raise RecordError(str(exc)) from None
        finally:
            content.discard()

    def _sha256_of(self, asset_type: str, asset_id: str, file_id: str) -> str | None:
        """The sha256 of a file's bytes in the account (None: they cannot be read)."""
        client = self.deps.client
        try:
            answer = client.get_json(contract.file_download_path(asset_type, asset_id, file_id))
            url = contract.download_url(answer)
            response = client.request("GET", url, authenticated=False, stream=True)
        except LexfulHTTPError as exc:
            if not rejectable(exc):
                raise
            return None
        digest = hashlib.sha256()
        with response:
            for chunk in response.iter_content(1 << 16):
                digest.update(chunk)
        return digest.hexdigest()

    def _same_files(
        self, asset_type: str, asset_id: str, meta: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [
            item
            for item in self.deps.client.iter_list(contract.files_path(asset_type, asset_id))
            if item.get("name") == meta["name"] and item.get("size") == meta["size"]
        ]


def upload(
    client: LexfulClient,
    asset_type: str,
    asset_id: str,
    meta: dict[str, Any],
    content: file_content.FileContent,
) -> dict[str, Any]:
    """Create the file record, PUT the bytes to the presigned URL, complete it [D].

    A file of a file-typed property is created through its documented route [D]; its
    property is set when the upload completes [A]."""
    prop = meta.get("property_name")
    if prop:
        body = {k: v for k, v in meta.items() if k != "property_name"}
        path = contract.entity_upload_path(asset_type, asset_id, prop)
        created = client.send_json("POST", path, body)
    else:
        created = client.send_json("POST", contract.files_path(asset_type, asset_id), meta)
    file_record, upload_url = contract.created_file(created)
    client.request(
        "PUT",
        upload_url,
        data=content.opener,
        headers={"Content-Type": meta["mime_type"]},
        authenticated=False,  # the URL carries its own signature [D]
    )
    completed = client.send_json(
        "POST", contract.file_complete_path(asset_type, asset_id, file_record["id"]), {}
    )
    return completed.get("file", completed) if isinstance(completed, dict) else file_record


def _declared_sha256(rec: dict[str, Any]) -> str | None:
    """The sha256 of a file record's content, known without reading a file or a URL."""
    if rec.get("sha256"):
        return str(rec["sha256"]).lower()
    if isinstance(rec.get("content_base64"), str):
        try:
            return hashlib.sha256(
                base64.b64decode(rec["content_base64"], validate=True)
            ).hexdigest()
        except (binascii.Error, ValueError):
            return None
    return None


def _has_content(rec: dict[str, Any]) -> bool:
    return any(rec.get(k) for k in ("content_base64", "local_path", "download_url"))


def _meta(rec: dict[str, Any]) -> dict[str, Any]:
    """What the upload says about the file; empty when the record names no file."""
    name = rec.get("name") or rec.get("original_name")
    if not name:
        return {}
    meta = {
        "name": name,
        "original_name": rec.get("original_name") or name,
        "file_extension": rec.get("file_extension"),
        "mime_type": rec.get("mime_type") or file_content.DEFAULT_MIME,
        "is_public": rec.get("is_public"),
        "property_name": rec.get("property_name"),
        # The property upload's own field [D]; the plain file route takes no such field.
        "data": rec.get("data") if rec.get("property_name") else None,
    }
    return {k: v for k, v in meta.items() if v is not None}
