"""Organizations and organization types: validation and writes."""

from __future__ import annotations

import re
from typing import Any

from lexful_sandbox.common.errors import ApiError, bad_request, conflict, not_found
from lexful_sandbox.common.util import next_id_and_time, slugify, touched
from lexful_sandbox.storage.store import Store

WRITABLE = (
    "name",
    "slug",
    "type",
    "status",
    "description",
    "logo_url",
    "website_url",
    "notes",
    "alert",
    "parent_id",
    "asset_management",
    "is_primary",
)
REQUIRED = ("name", "type", "status")
NULLABLE_TEXT = ("description", "logo_url", "website_url", "notes", "alert")
SLUG = re.compile(r"^[a-z0-9_-]+$")
BULK_LIMIT = 100


def _check_fields(body: Any, index: str, *, allow_id: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"{index}expected a JSON object")
    for key in body:
        if key not in WRITABLE and not (allow_id and key == "id"):
            raise bad_request(f"{index}{key}: unknown or read-only field", key)
    return body


def _check_values(store: Store, account_id: str, body: dict[str, Any], org_id: str | None) -> None:
    def bad(key: str, message: str) -> ApiError:
        return bad_request(f"{key}: {message}", key)

    if "name" in body and (
        not isinstance(body["name"], str) or not 1 <= len(body["name"].strip()) <= 255
    ):
        raise bad("name", "expected a string of 1..255 characters")
    if "slug" in body and (not isinstance(body["slug"], str) or not SLUG.match(body["slug"])):
        raise bad("slug", "must match ^[a-z0-9_-]+$")
    for key in ("type", "status"):
        if key in body and (not isinstance(body[key], str) or not body[key]):
            raise bad(key, "expected a non-empty string")
    for key in NULLABLE_TEXT:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise bad(key, "expected a string or null")
    if "is_primary" in body and not isinstance(body["is_primary"], bool):
        raise bad("is_primary", "expected a boolean")
    if "asset_management" in body and body["asset_management"] not in ("disabled", "enabled"):
        raise bad("asset_management", "must be disabled or enabled")
    if "type" in body and not store.find(
        "organization_types", account_id, "name = ? AND deleted_at IS NULL", (body["type"],)
    ):
        raise bad("type", f"no organization type named {body['type']!r}")
    parent = body.get("parent_id")
    if parent is not None and (
        not isinstance(parent, str)
        or parent == org_id
        or not store.get("organizations", account_id, parent)
    ):
        raise bad("parent_id", "must name another organization of the account")


def _slug_taken(store: Store, account_id: str, slug: str, org_id: str | None) -> bool:
    rows = store.query(
        "SELECT id FROM organizations WHERE account_id = ? AND slug = ? AND deleted_at IS NULL",
        (account_id, slug),
    )
    return any(r[0] != org_id for r in rows)


def _free_slug(store: Store, account_id: str, name: str, taken: set[str]) -> str:
    base = slugify(name)
    slug, n = base, 1
    while slug in taken or _slug_taken(store, account_id, slug, None):
        n += 1
        slug = f"{base}-{n}"
    return slug


def new_organization(
    store: Store, account_id: str, user_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    record_id, now = next_id_and_time()
    doc: dict[str, Any] = {
        "id": record_id,
        "is_primary": False,
        "name": None,
        "slug": None,
        "type": None,
        "status": None,
        "description": None,
        "logo_url": None,
        "website_url": None,
        "notes": None,
        "alert": None,
        "parent_id": None,
        "asset_management": "disabled",
        "labels": [],
        "created_at": now,
        "updated_at": now,
        "created_by": user_id,
        "updated_by": user_id,
        "deleted_at": None,
    }
    doc.update(body)
    return doc


def create(store: Store, account_id: str, user_id: str, bodies: list[Any]) -> list[dict[str, Any]]:
    """Create one or many; all or nothing."""
    if not 1 <= len(bodies) <= BULK_LIMIT:
        raise bad_request(f"expected 1..{BULK_LIMIT} organizations, got {len(bodies)}")
    many = len(bodies) > 1
    taken: set[str] = set()
    docs = []
    with store.tx():
        for i, raw in enumerate(bodies):
            prefix = f"[{i}] " if many else ""
            body = _check_fields(raw, prefix, allow_id=False)
            for key in REQUIRED:
                if body.get(key) is None:
                    raise bad_request(f"{prefix}{key}: is required", key)
            _check_values(store, account_id, body, None)
            slug = body.get("slug")
            if slug is not None and (slug in taken or _slug_taken(store, account_id, slug, None)):
                raise conflict(f"{prefix}slug {slug!r} is already used", "slug")
            body = {**body, "slug": slug or _free_slug(store, account_id, body["name"], taken)}
            taken.add(body["slug"])
            docs.append(
                store.insert(
                    "organizations", account_id, new_organization(store, account_id, user_id, body)
                )
            )
    return docs


def _apply(
    store: Store, account_id: str, user_id: str, org_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    doc = store.get("organizations", account_id, org_id)
    if doc is None:
        raise not_found(f"organization {org_id}")
    for key in ("name", "type", "status", "slug"):
        if key in body and body[key] is None:
            raise bad_request(f"{key}: cannot be null", key)
    _check_values(store, account_id, body, org_id)
    if "slug" in body and _slug_taken(store, account_id, body["slug"], org_id):
        raise conflict(f"slug {body['slug']!r} is already used", "slug")
    renamed = "name" in body and body["name"] != doc["name"]
    before = dict(doc)
    doc.update(body)
    if doc == before:
        return doc  # nothing changed: updated_at stays, so incremental readers see no change
    doc["updated_at"] = touched(doc["updated_at"])
    doc["updated_by"] = user_id
    store.save("organizations", account_id, doc)
    if renamed:
        # organization_name is denormalized into assets; it is not a change to the asset.
        store.execute(
            "UPDATE assets SET doc = json_set(doc, '$.organization_name', ?) "
            "WHERE account_id = ? AND organization_id = ?",
            (doc["name"], account_id, org_id),
        )
    return doc


def update(store: Store, account_id: str, user_id: str, org_id: str, raw: Any) -> dict[str, Any]:
    body = _check_fields(raw, "", allow_id=False)
    with store.tx():
        return _apply(store, account_id, user_id, org_id, body)


def bulk_update(store: Store, account_id: str, user_id: str, bodies: Any) -> list[dict[str, Any]]:
    if not isinstance(bodies, list) or not 1 <= len(bodies) <= BULK_LIMIT:
        raise bad_request(f"expected an array of 1..{BULK_LIMIT} objects, each with an id")
    with store.tx():
        docs = []
        for i, raw in enumerate(bodies):
            body = dict(_check_fields(raw, f"[{i}] ", allow_id=True))
            org_id = body.pop("id", None)
            if not isinstance(org_id, str):
                raise bad_request(f"[{i}] id: is required", "id")
            docs.append(_apply(store, account_id, user_id, org_id, body))
    return docs


def delete(store: Store, account_id: str, user_id: str, org_id: str) -> None:
    with store.tx():
        doc = store.get("organizations", account_id, org_id)
        if doc is None:
            raise not_found(f"organization {org_id}")
        now = touched(doc["updated_at"])
        doc.update(deleted_at=now, updated_at=now, updated_by=user_id)
        store.save("organizations", account_id, doc)


def new_type(user_id: str, name: str, description: str | None, *, system: bool) -> dict[str, Any]:
    record_id, now = next_id_and_time()
    return {
        "id": record_id,
        "name": name,
        "description": description,
        "is_system": system,
        "created_at": now,
        "updated_at": now,
        "created_by": user_id,
        "updated_by": user_id,
        "deleted_at": None,
    }


def create_type(store: Store, account_id: str, user_id: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("expected a JSON object")
    for key in body:
        if key not in ("name", "description"):
            raise bad_request(f"{key}: unknown or read-only field", key)
    name, description = body.get("name"), body.get("description")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise bad_request("name: expected a string of 1..100 characters", "name")
    if description is not None and (not isinstance(description, str) or len(description) > 500):
        raise bad_request("description: expected a string of at most 500 characters", "description")
    with store.tx():
        if store.find("organization_types", account_id, "name = ? AND deleted_at IS NULL", (name,)):
            raise conflict(f"organization type {name!r} exists", "name")
        return store.insert(
            "organization_types", account_id, new_type(user_id, name, description, system=False)
        )
