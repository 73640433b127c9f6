"""Files: an upload session (PENDING), the bytes PUT to a presigned URL, then COMPLETED (or
CANCELLED, or EXPIRED when the bytes never came)."""

from __future__ import annotations

import hashlib
from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import LightfieldError, bad_request, conflict, not_found
from lightfield_sandbox.common.ids import new_id
from lightfield_sandbox.resources.actor import Actor
from sandbox_core.clock import iso_ms

CREATE_KEYS = frozenset({"filename", "mimeType", "sizeBytes", "purpose"})


def object_key(workspace_id: str, file_id: str) -> str:
    return f"{workspace_id}/{file_id}"


def _check_create(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    for key in body:
        if key not in CREATE_KEYS:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, key)
    name, mime, size = body.get("filename"), body.get("mimeType"), body.get("sizeBytes")
    if not isinstance(name, str) or not 1 <= len(name) <= contract.FILENAME_MAX:
        raise bad_request(
            "filename must be 1 to 255 characters", contract.INVALID_VALUE, "filename"
        )
    if not isinstance(mime, str) or "/" not in mime:
        raise bad_request("mimeType must be a media type", contract.INVALID_VALUE, "mimeType")
    if (
        isinstance(size, bool)
        or not isinstance(size, int)
        or not 1 <= size <= contract.FILE_MAX_BYTES
    ):
        msg = f"sizeBytes must be from 1 to {contract.FILE_MAX_BYTES}"
        raise bad_request(msg, contract.INVALID_VALUE, "sizeBytes")
    purpose = body.get("purpose")
    if purpose is not None and purpose not in contract.FILE_PURPOSES:
        raise bad_request("unknown purpose", contract.INVALID_VALUE, "purpose")
    return body


def create(actor: Actor, body: Any) -> dict[str, Any]:
    """A PENDING file; the purpose is checked, not stored."""
    body = _check_create(body)
    now_ms = actor.store.clock.now_ms()
    doc = {
        "id": new_id("file", now_ms),
        "status": "PENDING",
        "filename": body["filename"],
        "mimeType": body["mimeType"],
        "sizeBytes": body["sizeBytes"],
        "createdAt": iso_ms(now_ms),
        "completedAt": None,
        "expiresAt": iso_ms(now_ms + contract.UPLOAD_TTL_S * 1000),
    }
    return actor.store.insert(actor.workspace_id, "file", doc)


def current(actor: Actor, doc: dict[str, Any]) -> dict[str, Any]:
    """The file as it reads now: a PENDING file past its expiry reads EXPIRED."""
    now = iso_ms(actor.store.clock.now_ms())
    if doc["status"] == "PENDING" and doc["expiresAt"] and doc["expiresAt"] < now:
        return {**doc, "status": "EXPIRED", "expiresAt": None}
    return doc


def get(actor: Actor, file_id: str) -> dict[str, Any]:
    doc = actor.store.get(actor.workspace_id, "file", file_id)
    if doc is None:
        raise not_found(f"file {file_id}")
    return current(actor, doc)


def _pending(actor: Actor, file_id: str) -> dict[str, Any]:
    doc = get(actor, file_id)
    if doc["status"] != "PENDING":
        raise conflict(f"file {file_id} is {doc['status']}, not PENDING")
    return doc


def receive(actor: Actor, file_id: str, data: bytes) -> None:
    """The bytes PUT to the presigned URL; again until the file is completed (last wins)."""
    _pending(actor, file_id)
    actor.store.put_blob(object_key(actor.workspace_id, file_id), data)


def complete(actor: Actor, file_id: str, body: Any) -> dict[str, Any]:
    """PENDING -> COMPLETED once the bytes are there, of the declared size (and md5, if sent)."""
    doc = _pending(actor, file_id)
    md5 = body.get("md5") if isinstance(body, dict) else None
    if isinstance(body, dict) and set(body) - {"md5"}:
        key = sorted(set(body) - {"md5"})[0]
        raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, key)
    data = actor.store.blob(object_key(actor.workspace_id, file_id))
    if data is None:
        raise LightfieldError(409, "no bytes were uploaded for this file", "upload_missing")
    if len(data) != doc["sizeBytes"]:
        msg = f"uploaded {len(data)} bytes, declared {doc['sizeBytes']}"
        raise bad_request(msg, "size_mismatch", "sizeBytes")
    digest = hashlib.md5(data).hexdigest()  # noqa: S324 - the client's checksum, not security
    if md5 is not None and (not isinstance(md5, str) or digest != md5.lower()):
        raise bad_request("md5 does not match the uploaded bytes", "checksum_mismatch", "md5")
    doc.update(status="COMPLETED", completedAt=iso_ms(actor.store.clock.now_ms()), expiresAt=None)
    return actor.store.save(actor.workspace_id, "file", doc)


def cancel(actor: Actor, file_id: str) -> dict[str, Any]:
    doc = _pending(actor, file_id)
    doc.update(status="CANCELLED", expiresAt=None)
    return actor.store.save(actor.workspace_id, "file", doc)


def downloadable(actor: Actor, file_id: str) -> dict[str, Any]:
    doc = get(actor, file_id)
    if doc["status"] != "COMPLETED":
        raise conflict(f"file {file_id} is {doc['status']}: only COMPLETED files have a URL")
    return doc
