"""Records of every object type (accounts, contacts, ..., custom objects): create, update,
retrieve, soft delete. One shape for all: ``{id, createdAt, updatedAt, externalId, httpLink,
fields, relationships}``, driven by the type's ``ObjectDef``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common import variants
from lightfield_sandbox.common.errors import bad_request, not_found, unprocessable
from lightfield_sandbox.common.ids import new_id
from lightfield_sandbox.resources import relationships as rel
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import ObjectDef
from lightfield_sandbox.resources.values import normalize, wrap

BODY_KEYS = frozenset(contract.BODY_KEYS)
Check = Callable[[Actor, dict[str, Any]], None]  # a type's own rules, after the common ones


def _no_check(_actor: Actor, _doc: dict[str, Any]) -> None:
    return None


def _section(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name) or {}
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an object", contract.INVALID_VALUE, name)
    return value


def check_body(body: Any, extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A write body: ``fields`` and ``relationships`` (and the type's ``extra`` keys) only; any
    other key, ``externalId`` included, is 400 ``unknown_field`` naming the key."""
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    for key in body:
        if key not in BODY_KEYS | extra:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, key)
    return body


def blank(od: ObjectDef, actor: Actor, kind: str | None = None) -> dict[str, Any]:
    """A new record of the type with every field null and every relationship empty."""
    now = actor.now()
    record_id = new_id(kind or od.object_type, actor.store.clock.now_ms())
    return {
        "id": record_id,
        "createdAt": now,
        "updatedAt": None,
        "externalId": None,
        "httpLink": f"{contract.HTTP_LINK_BASE}/{od.object_type}/{record_id}",
        "fields": {k: wrap(f, None) for k, f in od.fields.items()},
        "relationships": {k: rel.entry(r, []) for k, r in od.relationships.items()},
    }


def _write_fields(od: ObjectDef, doc: dict[str, Any], fields: dict[str, Any]) -> None:
    for key, raw in fields.items():
        fd = od.fields.get(key)
        if fd is None:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, f"fields.{key}")
        if fd.read_only:
            raise bad_request(f"{key} is read-only", contract.READ_ONLY, f"fields.{key}")
        doc["fields"][key] = wrap(fd, normalize(fd, key, raw))


def _write_relationships(
    actor: Actor, od: ObjectDef, doc: dict[str, Any], values: dict[str, Any]
) -> list[tuple[str, list[str], list[str]]]:
    """Apply relationship writes; (key, before, after) of each, for the inverse side."""
    changes = []
    for key, value in values.items():
        rd = od.relationships.get(key)
        param = f"relationships.{key}"
        if rd is None:
            raise bad_request(f"unknown relationship {key}", contract.UNKNOWN_FIELD, param)
        if rd.read_only:
            raise bad_request(f"{key} is read-only", contract.READ_ONLY, param)
        before = list(doc["relationships"][key]["values"])
        after = rel.new_values(actor, rd, key, before, value)
        doc["relationships"][key]["values"] = after
        changes.append((key, before, after))
    return changes


def _check_required(od: ObjectDef, doc: dict[str, Any]) -> None:
    for key, fd in od.fields.items():
        if fd.required and doc["fields"][key]["value"] in (None, "", []):
            raise unprocessable(f"requires {key} field", contract.REQUIRED, f"fields.{key}")
    for key, rd in od.relationships.items():
        if rd.required and not doc["relationships"][key]["values"]:
            param = f"relationships.{key}"
            raise unprocessable(f"requires {key} relationship", contract.REQUIRED, param)


def _apply(actor: Actor, od: ObjectDef, doc: dict[str, Any], body: dict[str, Any]) -> list[Any]:
    _write_fields(od, doc, _section(body, "fields"))
    changes = _write_relationships(actor, od, doc, _section(body, "relationships"))
    _check_required(od, doc)
    return changes


def _sync(actor: Actor, od: ObjectDef, record_id: str, changes: list[Any]) -> None:
    for key, before, after in changes:
        rel.sync_inverse(actor, od.relationships[key], record_id, before, after)


def create(actor: Actor, od: ObjectDef, body: Any, check: Check = _no_check) -> dict[str, Any]:
    """A new record from ``{fields, relationships}``; ``$createdBy`` is the caller."""
    doc = blank(od, actor)
    if "$createdBy" in od.relationships:
        doc["relationships"]["$createdBy"]["values"] = [actor.member_id]
    changes = _apply(actor, od, doc, body)
    check(actor, doc)
    with actor.store.tx():
        actor.store.insert(actor.workspace_id, od.kind, doc)
        _sync(actor, od, doc["id"], changes)
    return doc


def get(actor: Actor, od: ObjectDef, record_id: str) -> dict[str, Any]:
    doc = actor.store.get(actor.workspace_id, od.kind, record_id)
    if doc is None:
        raise not_found(f"{od.object_type} {record_id}")
    return doc


def update(
    actor: Actor, od: ObjectDef, record_id: str, body: Any, check: Check = _no_check
) -> dict[str, Any]:
    """Only the keys sent change; a write that changes nothing leaves ``updatedAt`` as it was."""
    before = get(actor, od, record_id)
    doc = copy.deepcopy(before)
    changes = _apply(actor, od, doc, body)
    check(actor, doc)
    if doc == before:
        return doc
    doc["updatedAt"] = actor.now()
    with actor.store.tx():
        actor.store.save(actor.workspace_id, od.kind, doc)
        _sync(actor, od, record_id, changes)
    return doc


def _trash_sets_updated_at() -> bool:
    """[A contract.TRASH_SETS_UPDATED_AT], but not with the ``trash-keeps-updated-at`` variant."""
    return contract.TRASH_SETS_UPDATED_AT and not variants.active(variants.TRASH_KEEPS_UPDATED_AT)


def delete(actor: Actor, od: ObjectDef, record_id: str) -> dict[str, Any]:
    """Soft delete; a record already trashed answers as it is (contract.DELETE_RETURNS_RECORD),
    but a meeting: 404 (contract.MEETING_DELETE_TRASHED_404). Related records are left alone."""
    doc = actor.store.get(actor.workspace_id, od.kind, record_id, include_deleted=True)
    if doc is None:
        raise not_found(f"{od.object_type} {record_id}")
    if not actor.store.is_trashed(actor.workspace_id, od.kind, record_id):
        if _trash_sets_updated_at():
            doc["updatedAt"] = actor.now()
        actor.store.trash(actor.workspace_id, od.kind, record_id, doc)
    elif od.object_type == "meeting" and contract.MEETING_DELETE_TRASHED_404:
        raise not_found(f"{od.object_type} {record_id}")
    return doc


def restore(actor: Actor, od: ObjectDef, record_id: str) -> dict[str, Any]:
    """Back from the trash; a live record answers as it is."""
    doc = actor.store.get(actor.workspace_id, od.kind, record_id, include_deleted=True)
    if doc is None:
        raise not_found(f"{od.object_type} {record_id}")
    if actor.store.is_trashed(actor.workspace_id, od.kind, record_id):
        if _trash_sets_updated_at():
            doc["updatedAt"] = actor.now()
        actor.store.untrash(actor.workspace_id, od.kind, doc)
    return doc
