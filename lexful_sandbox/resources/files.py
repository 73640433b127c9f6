"""File records of assets, their bytes, and the three-step upload."""

from __future__ import annotations

import re
from typing import Any

from lexful_sandbox.common.errors import ApiError, bad_request, not_found
from lexful_sandbox.common.util import next_id_and_time, touched
from lexful_sandbox.resources import assets
from lexful_sandbox.resources.asset_types import by_name
from lexful_sandbox.resources.validation import fail
from lexful_sandbox.storage.store import Store

MAX_FILE_SIZE = 100 * 1024 * 1024
REQUIRED = ("name", "original_name", "file_extension", "mime_type", "size")
OPTIONAL = ("property_name", "is_public")
FILE_EXTENSION = re.compile(r"^\.?[a-zA-Z0-9]+$")  # [D] on the property upload


def object_key(account_id: str, file_id: str) -> str:
    return f"{account_id}/{file_id}"


def _check_body(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request("expected a JSON object")
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            raise fail(key, "unknown field")
    for key in REQUIRED[:-1]:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise fail(key, "required string")
    size = raw.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise fail("size", "required non-negative integer")
    if raw.get("is_public") is not None and not isinstance(raw["is_public"], bool):
        raise fail("is_public", "expected a boolean")
    if raw.get("property_name") is not None and not isinstance(raw["property_name"], str):
        raise fail("property_name", "expected a string")
    return raw


def _extension(value: str) -> str:
    return "." + value.lower().lstrip(".")


def _check_rules(asset_type: dict[str, Any], body: dict[str, Any]) -> None:
    name = body.get("property_name")
    if name is None:
        if body["size"] > MAX_FILE_SIZE:
            raise fail("size", f"at most {MAX_FILE_SIZE} bytes")
        return
    definition = next((p for p in asset_type["properties"] if p["name"] == name), None)
    if definition is None or definition["type"] != "file":
        raise fail("property_name", f"{name!r} is not a file property of {asset_type['name']}")
    rules = definition.get("file_rules") or {}
    # A rule may allow more than an upload can carry (413 beyond MAX_FILE_SIZE): such a file
    # could never be completed, so the upload limit caps the rule.
    limit = min(rules.get("max_size", MAX_FILE_SIZE), MAX_FILE_SIZE)
    if body["size"] > limit:
        raise fail("size", f"at most {limit} bytes for {name}")
    extensions = [_extension(e) for e in rules.get("allowed_extensions") or []]
    if extensions and _extension(body["file_extension"]) not in extensions:
        raise fail("file_extension", f"must be one of {', '.join(extensions)}")
    mime_types = [m.lower() for m in rules.get("allowed_mime_types") or []]
    if mime_types and body["mime_type"].lower() not in mime_types:
        raise fail("mime_type", f"must be one of {', '.join(mime_types)}")


def create_for_property(
    store: Store,
    account_id: str,
    user_id: str,
    type_name: str,
    asset_id: str,
    property_name: str,
    raw: Any,
) -> dict[str, Any]:
    """``POST /v1/entities/{type}/{id}/uploads/{propertyName}`` [D]: the record also has
    ``entity_id``, ``s3_key`` and ``data``; the property is set when the upload completes [A]."""
    if not isinstance(raw, dict):
        raise bad_request("expected a JSON object")
    if "property_name" in raw:
        raise fail("property_name", "unknown field (the property is in the path)")
    body = {k: v for k, v in raw.items() if k != "data"}
    extension = body.get("file_extension")
    if isinstance(extension, str) and not FILE_EXTENSION.match(extension):
        raise fail("file_extension", "must match ^\\.?[a-zA-Z0-9]+$")
    doc = create(
        store, account_id, user_id, type_name, asset_id, {**body, "property_name": property_name}
    )
    doc.update(entity_id=asset_id, s3_key=object_key(account_id, doc["id"]), data=raw.get("data"))
    return store.save("files", account_id, doc)


def create(
    store: Store, account_id: str, user_id: str, type_name: str, asset_id: str, raw: Any
) -> dict[str, Any]:
    body = _check_body(raw)
    asset_type = by_name(store, account_id, type_name)
    with store.tx():
        asset = assets.get(store, account_id, type_name, asset_id, deleted=False)
        _check_rules(asset_type, body)
        record_id, now = next_id_and_time()
        doc = {
            "id": record_id,
            "organization_id": asset["organization_id"],
            "asset_id": asset_id,
            **{k: body[k] for k in REQUIRED},
            "is_public": bool(body.get("is_public", False)),
            "property_name": body.get("property_name"),
            "upload_status": "pending",
            "created_at": now,
            "updated_at": now,
            "created_by": user_id,
            "updated_by": user_id,
            "deleted_at": None,
        }
        return store.insert("files", account_id, doc)


def get(
    store: Store, account_id: str, type_name: str, asset_id: str, file_id: str
) -> dict[str, Any]:
    assets.get(store, account_id, type_name, asset_id, deleted=False)
    doc = store.get("files", account_id, file_id)
    if doc is None or doc["asset_id"] != asset_id:
        raise not_found(f"file {file_id}")
    return doc


def put_bytes(store: Store, key: str, data: bytes) -> None:
    store.execute(
        "INSERT INTO blobs (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = ?",
        (key, data, data),
    )


def check_uploadable(store: Store, account_id: str, file_id: str) -> None:
    """An upload is accepted until ``complete``: the completed bytes are what was checked
    against the declared size and what downloads serve, so they never change afterwards."""
    doc = store.get("files", account_id, file_id)
    if doc is None:
        raise not_found(f"file {file_id}")
    if doc["upload_status"] == "completed":
        raise ApiError(
            409, f"file {file_id} upload is already completed; create a new file to replace it"
        )


def receive_upload(store: Store, account_id: str, file_id: str, data: bytes) -> None:
    """Store uploaded bytes; checked again in the same transaction as the write, since a
    ``complete`` may have landed while the body was being read."""
    with store.tx():
        check_uploadable(store, account_id, file_id)
        put_bytes(store, object_key(account_id, file_id), data)


def get_bytes(store: Store, key: str) -> bytes | None:
    rows = store.query("SELECT data FROM blobs WHERE key = ?", (key,))
    return bytes(rows[0][0]) if rows else None


def complete(
    store: Store, account_id: str, user_id: str, type_name: str, asset_id: str, file_id: str
) -> dict[str, Any]:
    with store.tx():
        doc = get(store, account_id, type_name, asset_id, file_id)
        if doc["upload_status"] == "completed":
            return doc
        rows = store.query(
            "SELECT length(data) FROM blobs WHERE key = ?", (object_key(account_id, file_id),)
        )
        received = rows[0][0] if rows else 0
        if received != doc["size"]:
            raise bad_request(
                f"received {received} bytes, declared size is {doc['size']}; upload again"
            )
        now = touched(doc["updated_at"])
        doc.update(upload_status="completed", updated_at=now, updated_by=user_id)
        store.save("files", account_id, doc)
        if doc["property_name"]:
            _set_property(store, account_id, user_id, asset_id, doc["property_name"], file_id)
        return doc


def _set_property(
    store: Store, account_id: str, user_id: str, asset_id: str, name: str, value: str | None
) -> None:
    asset = store.get("assets", account_id, asset_id)
    if asset is None:
        return
    asset[name] = value
    asset["updated_at"] = touched(asset["updated_at"])
    asset["updated_by"] = user_id
    store.save("assets", account_id, asset)


def check_downloadable(doc: dict[str, Any]) -> None:
    if doc["upload_status"] != "completed":
        raise ApiError(409, f"file {doc['id']} upload is not completed")


def delete(
    store: Store, account_id: str, user_id: str, type_name: str, asset_id: str, file_id: str
) -> None:
    with store.tx():
        doc = get(store, account_id, type_name, asset_id, file_id)
        now = touched(doc["updated_at"])
        doc.update(deleted_at=now, updated_at=now, updated_by=user_id)
        store.save("files", account_id, doc)
        asset = store.get("assets", account_id, asset_id)
        name = doc["property_name"]
        if name and asset is not None and asset.get(name) == file_id:
            _set_property(store, account_id, user_id, asset_id, name, None)
