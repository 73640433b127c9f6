"""Relationship writes: bare IDs on create, ``{add, remove, replace}`` on update, targets that
must exist, and the inverse side kept in step."""

from __future__ import annotations

from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import bad_request
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN, CUSTOM_TYPES, RelDef


def kind_of_type(object_type: str) -> str:
    """The store's kind for an object type (custom types are ``object:<slug>``)."""
    if object_type in BUILT_IN or object_type in ("member", "file", "list"):
        return object_type
    return CUSTOM_TYPES[object_type][1].kind if object_type in CUSTOM_TYPES else object_type


def _ids(value: Any, param: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v for v in values):
        raise bad_request(f"{param} must be an ID or a list of IDs", contract.INVALID_VALUE, param)
    return list(dict.fromkeys(values))


def _check_targets(actor: Actor, rd: RelDef, ids: list[str], param: str) -> None:
    kind = kind_of_type(rd.object_type)
    for record_id in ids:
        if actor.store.kind_of(actor.workspace_id, record_id) != kind:
            msg = f"{param}: no {rd.object_type} {record_id}"
            raise bad_request(msg, contract.INVALID_RELATIONSHIP, param)


def new_values(actor: Actor, rd: RelDef, key: str, current: list[str], value: Any) -> list[str]:
    """The relationship's IDs after a write of ``value`` (bare IDs replace; operations apply)."""
    param = f"relationships.{key}"
    if isinstance(value, dict):
        unknown = set(value) - set(contract.RELATIONSHIP_OPERATIONS)
        if unknown or not value:
            msg = f"{param} takes {', '.join(contract.RELATIONSHIP_OPERATIONS)}"
            raise bad_request(msg, contract.INVALID_VALUE, param)
        replace = value.get("replace", current)
        result = [] if replace is None else _ids(replace, param)  # null clears [D]
        added = _ids(value["add"], param) if "add" in value else []
        removed = set(_ids(value["remove"], param)) if "remove" in value else set()
        result = [i for i in dict.fromkeys(result + added) if i not in removed]
    else:
        result = [] if value is None else _ids(value, param)
    if not rd.many and len(result) > 1:
        raise bad_request(f"{param} holds one ID", contract.INVALID_VALUE, param)
    _check_targets(actor, rd, [i for i in result if i not in current], param)
    return result


def entry(rd: RelDef, ids: list[str]) -> dict[str, Any]:
    """How a relationship reads: ``{cardinality, objectType, values}``."""
    return {"cardinality": rd.cardinality, "objectType": rd.object_type, "values": ids}


def sync_inverse(
    actor: Actor, rd: RelDef, record_id: str, before: list[str], after: list[str]
) -> None:
    """Add or remove ``record_id`` on the other side (contract.INVERSE_WRITES_TOUCH_UPDATED_AT:
    the other record's ``updatedAt`` stays)."""
    if rd.inverse is None:
        return
    kind = kind_of_type(rd.object_type)
    changes = [(i, True) for i in after if i not in before] + [
        (i, False) for i in before if i not in after
    ]
    for other_id, add in changes:
        other = actor.store.get(actor.workspace_id, kind, other_id)
        if other is None or rd.inverse not in other["relationships"]:
            continue
        values: list[str] = other["relationships"][rd.inverse]["values"]
        if add and record_id not in values:
            values.append(record_id)
        elif not add and record_id in values:
            values.remove(record_id)
        actor.store.save(actor.workspace_id, kind, other)
