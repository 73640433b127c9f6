"""Lists: curated collections of accounts, contacts or opportunities, and their members."""

from __future__ import annotations

from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import bad_request, not_found, unprocessable
from lightfield_sandbox.common.ids import new_id
from lightfield_sandbox.resources import relationships as rel
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import FieldDef, RelDef
from lightfield_sandbox.resources.entities import check_body
from lightfield_sandbox.resources.values import normalize, wrap

MEMBER_TYPES = tuple(contract.LIST_RELATIONSHIP)
LIST_FIELDS = {
    "$name": FieldDef("Name", "TEXT", required=True),
    "$objectType": FieldDef("Object type", "SINGLE_SELECT", required=True, options=MEMBER_TYPES),
}


def _members_write(
    actor: Actor, doc: dict[str, Any], relationships: Any, current: list[str]
) -> list[str]:
    """The member IDs after a write; only the relationship of the list's type is allowed."""
    object_type = doc["fields"]["$objectType"]["value"]
    allowed = contract.LIST_RELATIONSHIP[object_type]
    if not isinstance(relationships, dict):
        raise bad_request(
            "relationships must be an object", contract.INVALID_VALUE, "relationships"
        )
    members = current
    for key, value in relationships.items():
        if key != allowed:
            msg = f"a list of {object_type} takes {allowed} only"
            raise bad_request(msg, contract.UNKNOWN_FIELD, f"relationships.{key}")
        rd = RelDef("Members", object_type, many=True)
        members = rel.new_values(actor, rd, key, members, value)
    return members


def create(actor: Actor, body: Any) -> dict[str, Any]:
    body = check_body(body)
    fields = body.get("fields") or {}
    for key in LIST_FIELDS:
        if fields.get(key) is None:
            raise unprocessable(f"requires {key} field", contract.REQUIRED, f"fields.{key}")
    for key in fields:
        if key not in LIST_FIELDS:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, f"fields.{key}")
    values = {k: wrap(fd, normalize(fd, k, fields[k])) for k, fd in LIST_FIELDS.items()}
    now = actor.now()
    record_id = new_id("list", actor.store.clock.now_ms())
    link = f"{contract.HTTP_LINK_BASE}/list/{record_id}"
    doc = {"id": record_id, "createdAt": now, "fields": values, "httpLink": link}
    members = _members_write(actor, doc, body.get("relationships") or {}, [])
    with actor.store.tx():
        actor.store.insert(actor.workspace_id, "list", doc)
        actor.store.add_members(actor.workspace_id, record_id, members)
    return doc


def get(actor: Actor, list_id: str) -> dict[str, Any]:
    doc = actor.store.get(actor.workspace_id, "list", list_id)
    if doc is None:
        raise not_found(f"list {list_id}")
    return doc


def update(actor: Actor, list_id: str, body: Any) -> dict[str, Any]:
    """``fields.$name`` and the members (add/remove); the object type never changes."""
    body = check_body(body)
    doc = get(actor, list_id)
    for key, raw in (body.get("fields") or {}).items():
        if key != "$name":
            code = contract.READ_ONLY if key in LIST_FIELDS else contract.UNKNOWN_FIELD
            raise bad_request(f"{key} cannot be written", code, f"fields.{key}")
        doc["fields"][key] = wrap(LIST_FIELDS[key], normalize(LIST_FIELDS[key], key, raw))
    current = sorted(actor.store.members(actor.workspace_id, list_id))
    members = _members_write(actor, doc, body.get("relationships") or {}, current)
    with actor.store.tx():
        actor.store.save(actor.workspace_id, "list", doc)
        actor.store.remove_members(
            actor.workspace_id, list_id, [m for m in current if m not in members]
        )
        actor.store.add_members(actor.workspace_id, list_id, members)
    return doc


def delete(actor: Actor, list_id: str) -> dict[str, Any]:
    """Soft delete; the member records are left alone."""
    doc = actor.store.get(actor.workspace_id, "list", list_id, include_deleted=True)
    if doc is None:
        raise not_found(f"list {list_id}")
    if actor.store.get(actor.workspace_id, "list", list_id) is not None:
        actor.store.trash(actor.workspace_id, "list", list_id)
    return doc


def member_type(actor: Actor, list_id: str, collection: str) -> str:
    """The object type of ``/v1/lists/{id}/{collection}``; 400 when the list holds another."""
    doc = get(actor, list_id)
    object_type: str = doc["fields"]["$objectType"]["value"]
    if contract.COLLECTIONS[collection] != object_type:
        msg = f"list {list_id} holds {object_type} records, not {collection}"
        raise bad_request(msg, contract.INVALID_VALUE, "listId")
    return object_type
