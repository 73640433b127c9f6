"""Users: create, update, delete (with ``transfer_ownership_to``), validated like the rest.

[D] reference pages "create a user", "update a user", "delete a user": ``email``, ``role`` and
``organization_scopes`` are required on create; ``first_name``, ``last_name`` and
``account_scopes`` are optional; the roles below. [A] email unique in the account (409), and
that "owns entities" means assets whose ``owned_by`` is the user.
"""

from __future__ import annotations

import re
from typing import Any

from lexful_sandbox.common.errors import bad_request, conflict, not_found
from lexful_sandbox.common.util import next_id_and_time, touched
from lexful_sandbox.storage.store import Store

# [D] the roles of the users reference (organization_viewer: one version of it)
ROLES = ("system_admin", "system_support", "admin", "support", "viewer", "organization_viewer")
WRITABLE = ("email", "role", "first_name", "last_name", "account_scopes", "organization_scopes")
REQUIRED = ("email", "role", "organization_scopes")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SCOPE_ALL = "*"


def _check(store: Store, account_id: str, body: Any, user_id: str | None) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("expected a JSON object")
    for key in body:
        if key not in WRITABLE:
            raise bad_request(f"{key}: unknown or read-only field", key)
    email = body.get("email")
    if "email" in body:
        if not isinstance(email, str) or len(email) > 255 or not EMAIL.match(email):
            raise bad_request("email: expected an email address", "email")
        if _email_taken(store, account_id, email, user_id):
            raise conflict(f"email {email!r} is already used", "email")
    if "role" in body and body["role"] not in ROLES:
        raise bad_request(f"role: must be one of {', '.join(ROLES)}", "role")
    for key in ("first_name", "last_name"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise bad_request(f"{key}: expected a string of at most 255 characters", key)
    if "organization_scopes" in body:
        _check_scope(body["organization_scopes"], "organization_scopes")
        for org_id in _ids(body["organization_scopes"]):
            if store.get("organizations", account_id, org_id) is None:
                raise bad_request(
                    f"organization_scopes: no organization {org_id}", "organization_scopes"
                )
    if "account_scopes" in body:
        _check_scope(body["account_scopes"], "account_scopes")
    return body


def _ids(scope: Any) -> list[str]:
    return scope if isinstance(scope, list) else []


def _check_scope(scope: Any, key: str) -> None:
    if scope == SCOPE_ALL:
        return
    if not isinstance(scope, list) or not all(isinstance(i, str) and i for i in scope):
        raise bad_request(f'{key}: expected "*" or an array of ids', key)


def _email_taken(store: Store, account_id: str, email: str, user_id: str | None) -> bool:
    found = store.find(
        "users",
        account_id,
        "lower(json_extract(doc, '$.email')) = lower(?) AND deleted_at IS NULL",
        (email,),
    )
    return any(doc["id"] != user_id for doc in found)


def create(store: Store, account_id: str, caller_id: str, raw: Any) -> dict[str, Any]:
    with store.tx():
        body = _check(store, account_id, raw, None)
        for key in REQUIRED:
            if body.get(key) is None:
                raise bad_request(f"{key}: is required", key)
        record_id, now = next_id_and_time()
        doc: dict[str, Any] = {
            "id": record_id,
            "account_id": account_id,
            "email": None,
            "role": None,
            "first_name": None,
            "last_name": None,
            "account_scopes": [account_id],
            "organization_scopes": [],
            "external_ids": {},
            "created_at": now,
            "updated_at": now,
            "created_by": caller_id,
            "updated_by": caller_id,
            "deleted_at": None,
        }
        doc.update(body)
        return store.insert("users", account_id, doc)


def update(store: Store, account_id: str, caller_id: str, user_id: str, raw: Any) -> dict[str, Any]:
    with store.tx():
        doc = store.get("users", account_id, user_id)
        if doc is None:
            raise not_found(f"user {user_id}")
        body = _check(store, account_id, raw, user_id)
        for key in REQUIRED:
            if key in body and body[key] is None:
                raise bad_request(f"{key}: cannot be null", key)
        before = dict(doc)
        doc.update(body)
        if doc == before:
            return doc  # nothing changed: updated_at stays
        doc["updated_at"] = touched(doc["updated_at"])
        doc["updated_by"] = caller_id
        return store.save("users", account_id, doc)


def delete(store: Store, account_id: str, caller_id: str, user_id: str, body: Any) -> None:
    """Mark deleted; a user who owns assets needs ``transfer_ownership_to`` [D]."""
    if body is not None and not isinstance(body, dict):
        raise bad_request("expected a JSON object")
    target = (body or {}).get("transfer_ownership_to")
    for key in body or {}:
        if key != "transfer_ownership_to":
            raise bad_request(f"{key}: unknown field", key)
    with store.tx():
        doc = store.get("users", account_id, user_id)
        if doc is None:
            raise not_found(f"user {user_id}")
        owned = store.find(
            "assets",
            account_id,
            "json_extract(doc, '$.owned_by') = ? AND deleted_at IS NULL",
            (user_id,),
        )
        if target is not None:
            if not isinstance(target, str) or target == user_id:
                raise bad_request(
                    "transfer_ownership_to: expected the id of another user",
                    "transfer_ownership_to",
                )
            if store.get("users", account_id, target) is None:
                raise bad_request(
                    f"transfer_ownership_to: no user {target}", "transfer_ownership_to"
                )
        elif owned:
            raise bad_request(
                f"user {user_id} owns {len(owned)} entities: specify transfer_ownership_to",
                "transfer_ownership_to",
            )
        for asset in owned:
            asset["owned_by"] = target
            asset["updated_at"] = touched(asset["updated_at"])
            asset["updated_by"] = caller_id
            store.save("assets", account_id, asset)
        now = touched(doc["updated_at"])
        doc.update(deleted_at=now, updated_at=now, updated_by=caller_id)
        store.save("users", account_id, doc)
