"""Asset types: the table definitions assets are validated against."""

from __future__ import annotations

from typing import Any

from lexful_sandbox.common.errors import bad_request, conflict, not_found
from lexful_sandbox.common.util import next_id_and_time, touched
from lexful_sandbox.resources.validation import (
    RESERVED_PROPERTY_NAMES,
    TYPE_NAME,
    check_properties,
    check_references,
    fail,
)
from lexful_sandbox.storage.store import Store

EXT = "ext_"
CREATE_KEYS = ("name", "display_name", "description", "properties", "references")


def by_name(store: Store, account_id: str, name: str) -> dict[str, Any]:
    """The live type of that name, cached: every asset request needs it."""
    key = (account_id, name)
    cached = store.type_cache.get(key)
    if cached is None:
        found = store.find("asset_types", account_id, "name = ? AND deleted_at IS NULL", (name,))
        if not found:
            raise not_found(f"asset type {name!r}")
        cached = store.type_cache[key] = found[0]
    return cached


def forget(store: Store, account_id: str, name: str) -> None:
    store.type_cache.pop((account_id, name), None)


def new_type(
    user_id: str, body: dict[str, Any], *, system: bool, account_id: str
) -> dict[str, Any]:
    record_id, now = next_id_and_time()
    return {
        "id": record_id,
        "account_id": account_id,
        "name": body["name"],
        "display_name": body.get("display_name") or body["name"],
        "description": body.get("description"),
        "is_system": system,
        "properties": body.get("properties", []),
        "references": body.get("references", []),
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": user_id,
        "updated_by": user_id,
        "deleted_at": None,
    }


def _check_body(
    store: Store, account_id: str, body: Any, allowed: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("expected a JSON object")
    for key in body:
        if key not in allowed:
            raise bad_request(f"{key}: unknown or read-only field", key)
    for key in ("display_name", "description"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise fail(key, "expected a string")
    result = dict(body)
    if "properties" in body:
        result["properties"] = check_properties(
            body["properties"], "properties", RESERVED_PROPERTY_NAMES
        )
    if "references" in body:
        result["references"] = check_references(body["references"], "references")
        _check_targets(store, account_id, result["references"], body.get("name"))
    return result


def _check_targets(
    store: Store, account_id: str, refs: list[dict[str, Any]], own: str | None
) -> None:
    for i, ref in enumerate(refs):
        for target in ref["target_asset_types"]:
            if target == own:
                continue
            if not store.find(
                "asset_types", account_id, "name = ? AND deleted_at IS NULL", (target,)
            ):
                raise fail(f"references[{i}].target_asset_types", f"no asset type {target!r}")


def create(store: Store, account_id: str, user_id: str, raw: Any) -> dict[str, Any]:
    body = _check_body(store, account_id, raw, CREATE_KEYS)
    name = body.get("name")
    if not isinstance(name, str) or not TYPE_NAME.match(name):
        raise fail("name", "required; must match ^[a-z][a-z0-9_]*$ (system. names are reserved)")
    with store.tx():
        if store.find("asset_types", account_id, "name = ? AND deleted_at IS NULL", (name,)):
            raise conflict(f"asset type {name!r} exists", "name")
        doc = new_type(user_id, body, system=False, account_id=account_id)
        return store.insert("asset_types", account_id, doc)


def _check_system_change(old: list[dict[str, Any]], new: list[dict[str, Any]], what: str) -> None:
    """System definitions stay as they are; only ext_ entries may come, change or go."""
    new_by_name = {d["name"]: d for d in new}
    for definition in old:
        name = definition["name"]
        if name.startswith(EXT):
            continue
        if name not in new_by_name:
            raise fail(what, f"cannot remove system {what[:-1]} {name!r}")
        if new_by_name[name] != definition:
            raise fail(what, f"cannot change system {what[:-1]} {name!r}")
    old_names = {d["name"] for d in old}
    for name in new_by_name:
        if name not in old_names and not name.startswith(EXT):
            raise fail(what, f"system types may only be extended with ext_ names, not {name!r}")


def update(store: Store, account_id: str, user_id: str, type_id: str, raw: Any) -> dict[str, Any]:
    body = _check_body(store, account_id, raw, CREATE_KEYS[1:])
    with store.tx():
        doc = store.get("asset_types", account_id, type_id)
        if doc is None:
            raise not_found(f"asset type {type_id}")
        if doc["is_system"]:
            for key in ("display_name", "description"):
                if key in body and body[key] != doc[key]:
                    raise fail(key, "cannot change a system type's " + key)
            for key in ("properties", "references"):
                if key in body:
                    _check_system_change(doc[key], body[key], key)
        before = dict(doc)
        doc.update(body)
        if doc == before:
            return doc  # nothing changed: same version, same updated_at
        doc["version"] += 1
        doc["updated_at"] = touched(doc["updated_at"])
        doc["updated_by"] = user_id
        store.save("asset_types", account_id, doc)
        forget(store, account_id, doc["name"])
        return doc
