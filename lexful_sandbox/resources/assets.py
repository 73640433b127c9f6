"""Assets of every type: validation against their type, and writes."""

from __future__ import annotations

from typing import Any

from lexful_sandbox.common.errors import bad_request, not_found
from lexful_sandbox.common.util import next_id_and_time, touched
from lexful_sandbox.resources.asset_types import by_name
from lexful_sandbox.resources.validation import MASKED_TYPES, check_value, fail
from lexful_sandbox.storage.store import Store

VISIBILITY = ("inherit", "private", "restricted")
WRITABLE_FIXED = ("organization_id", "references", "visibility", "owned_by")
READ_ONLY = (
    "id",
    "organization_name",
    "name",
    "asset_type",
    "labels",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "deleted_at",
)


def derive_name(asset_type: dict[str, Any], doc: dict[str, Any]) -> str | None:
    """The `name` property, else first and last name, else the first string property."""
    props = asset_type["properties"]
    names = {p["name"] for p in props}
    if "name" in names:
        return doc.get("name")
    full = " ".join(str(doc[k]) for k in ("first_name", "last_name") if doc.get(k))
    if full:
        return full
    for definition in props:
        value = doc.get(definition["name"])
        if definition["type"] == "string" and isinstance(value, str) and value:
            return value
    return None


def hidden_values(asset_type: dict[str, Any], raw: dict[str, Any]) -> dict[str, str]:
    """The secret and totp values of a body, kept apart: the record itself holds the mask."""
    masked = {p["name"] for p in asset_type["properties"] if p["type"] in MASKED_TYPES}
    return {k: v for k, v in raw.items() if k in masked and isinstance(v, str)}


def _split_body(asset_type: dict[str, Any], raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fixed fields, properties) of a body; unknown or read-only fields: 400."""
    if not isinstance(raw, dict):
        raise bad_request("expected a JSON object")
    props = {p["name"]: p for p in asset_type["properties"]}
    fixed, values = {}, {}
    for key, value in raw.items():
        if key in props:
            values[key] = check_value(props[key], value, key)
        elif key in WRITABLE_FIXED:
            fixed[key] = value
        elif key in READ_ONLY:
            raise fail(key, "read-only field")
        else:
            raise fail(key, f"unknown field for asset type {asset_type['name']}")
    return fixed, values


def _organization(store: Store, account_id: str, org_id: Any) -> dict[str, Any]:
    org = store.get("organizations", account_id, org_id) if isinstance(org_id, str) else None
    if org is None:
        raise fail("organization_id", "must name an organization of the account")
    return org


def _check_target(
    store: Store, account_id: str, ref: dict[str, Any], value: Any, path: str
) -> None:
    if not isinstance(value, str):
        raise fail(path, "expected an asset id")
    rows = store.query(
        "SELECT type FROM assets WHERE account_id = ? AND id = ? AND deleted_at IS NULL",
        (account_id, value),
    )
    if not rows or rows[0][0] not in ref["target_asset_types"]:
        targets = ", ".join(ref["target_asset_types"])
        raise fail(path, f"must name an asset of type {targets}")


def _references(
    store: Store, account_id: str, asset_type: dict[str, Any], raw: Any
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise fail("references", "expected an object of reference name -> asset id")
    defs = {r["name"]: r for r in asset_type["references"]}
    result: dict[str, Any] = {}
    for name, value in raw.items():
        ref = defs.get(name)
        if ref is None:
            raise fail(f"references.{name}", "unknown reference")
        path = f"references.{name}"
        if value is None:
            result[name] = [] if ref["multiple"] else None
        elif ref["multiple"]:
            if not isinstance(value, list):
                raise fail(path, "expected an array of asset ids")
            for i, item in enumerate(value):
                _check_target(store, account_id, ref, item, f"{path}[{i}]")
            result[name] = list(value)
        else:
            _check_target(store, account_id, ref, value, path)
            result[name] = value
    return result


def _check_fixed(fixed: dict[str, Any]) -> None:
    if "visibility" in fixed and fixed["visibility"] not in VISIBILITY:
        raise fail("visibility", f"must be one of {', '.join(VISIBILITY)}")
    owner = fixed.get("owned_by")
    if owner is not None and not isinstance(owner, str):
        raise fail("owned_by", "expected a user id")


def _check_required(asset_type: dict[str, Any], doc: dict[str, Any]) -> None:
    for definition in asset_type["properties"]:
        if definition.get("required") and doc.get(definition["name"]) is None:
            raise fail(definition["name"], "is required")
    for ref in asset_type["references"]:
        if ref.get("required") and not doc["references"].get(ref["name"]):
            raise fail(f"references.{ref['name']}", "is required")


def new_asset(
    asset_type: dict[str, Any], org: dict[str, Any], user_id: str, record_id: str, now: str
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": record_id,
        "organization_id": org["id"],
        "organization_name": org["name"],
        "name": None,
        "visibility": "inherit",
        "owned_by": None,
        "labels": [],
        "references": {r["name"]: [] if r["multiple"] else None for r in asset_type["references"]},
        "asset_type": asset_type["name"],
    }
    for definition in asset_type["properties"]:
        doc[definition["name"]] = None
    doc.update(
        created_at=now, updated_at=now, created_by=user_id, updated_by=user_id, deleted_at=None
    )
    return doc


def create(store: Store, account_id: str, user_id: str, type_name: str, raw: Any) -> dict[str, Any]:
    asset_type = by_name(store, account_id, type_name)
    fixed, values = _split_body(asset_type, raw)
    _check_fixed(fixed)
    if fixed.get("organization_id") is None:
        raise fail("organization_id", "is required")
    with store.tx():
        org = _organization(store, account_id, fixed.pop("organization_id"))
        refs = _references(store, account_id, asset_type, fixed.pop("references", {}))
        record_id, now = next_id_and_time()
        doc = new_asset(asset_type, org, user_id, record_id, now)
        doc.update(fixed)
        doc.update(values)
        doc["references"].update(refs)
        _check_required(asset_type, doc)
        doc["name"] = derive_name(asset_type, doc)
        store.put_secrets(account_id, record_id, hidden_values(asset_type, raw))
        return store.insert("assets", account_id, doc)


def get(
    store: Store, account_id: str, type_name: str, asset_id: str, *, deleted: bool
) -> dict[str, Any]:
    by_name(store, account_id, type_name)
    doc = store.get("assets", account_id, asset_id, include_deleted=deleted)
    if doc is None or doc["asset_type"] != type_name:
        raise not_found(f"{type_name} asset {asset_id}")
    return doc


def update(
    store: Store, account_id: str, user_id: str, type_name: str, asset_id: str, raw: Any
) -> dict[str, Any]:
    asset_type = by_name(store, account_id, type_name)
    fixed, values = _split_body(asset_type, raw)
    _check_fixed(fixed)
    with store.tx():
        doc = get(store, account_id, type_name, asset_id, deleted=False)
        before = {**doc, "references": dict(doc["references"])}
        if "organization_id" in fixed:
            org = _organization(store, account_id, fixed.pop("organization_id"))
            doc.update(organization_id=org["id"], organization_name=org["name"])
        if "references" in fixed:
            doc["references"].update(
                _references(store, account_id, asset_type, fixed.pop("references"))
            )
        doc.update(fixed)
        doc.update(values)
        _check_required(asset_type, doc)
        doc["name"] = derive_name(asset_type, doc)
        hidden = hidden_values(asset_type, raw)
        secrets_changed = hidden.items() - store.secrets(account_id, asset_id).items()
        store.put_secrets(account_id, asset_id, hidden)
        if doc == before and not secrets_changed:
            return doc  # nothing changed: updated_at stays, so incremental readers see no change
        doc["updated_at"] = touched(doc["updated_at"])
        doc["updated_by"] = user_id
        return store.save("assets", account_id, doc)


def delete(store: Store, account_id: str, user_id: str, type_name: str, asset_id: str) -> None:
    with store.tx():
        doc = get(store, account_id, type_name, asset_id, deleted=False)
        now = touched(doc["updated_at"])
        doc.update(deleted_at=now, updated_at=now, updated_by=user_id)
        store.save("assets", account_id, doc)
