"""Workspaces (the tenant an API key opens), their members and their keys."""

from __future__ import annotations

import random
import secrets
from typing import Any

from lightfield_api.contract import KEY_PREFIX
from lightfield_sandbox.common.ids import new_id
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import CUSTOM_TYPES, FieldDef
from lightfield_sandbox.resources.values import wrap
from lightfield_sandbox.storage.store import Key, Store

MEMBER_FIELDS = {  # [D] the types of the official client's member model
    "$email": FieldDef("Email", "EMAIL"),
    "$name": FieldDef("Name", "FULL_NAME"),
    "$profileImage": FieldDef("Profile image", "URL"),
    "$role": FieldDef("Role", "TEXT"),
}


def credentials(key: Key, api_url: str) -> dict[str, str | None]:
    """The first line of ``lightfield-sandbox serve``: where the API is and the key to use
    (None when it is not known any more: a restart on ``--db`` without ``--seed-random``,
    the store keeping only its hash)."""
    return {"api_url": api_url, "api_key": key.key or None}


def first_token(rng: random.Random | None) -> str:
    """The first workspace's key: from ``rng`` (``--seed-random``), else random."""
    return KEY_PREFIX + (rng.randbytes(24).hex() if rng else secrets.token_hex(24))


def member(
    actor: Actor, name: str, email: str, role: str, rng: random.Random | None = None
) -> dict[str, Any]:
    """A member record (members are read-only through the API: seeds make them): ``$name``
    a FULL_NAME, ``$role`` TEXT and the ``$user`` behind the member, as documented."""
    first, _, last = name.partition(" ")
    full_name = {"firstName": first or None, "lastName": last or None}
    values = {"$email": email, "$name": full_name, "$profileImage": None, "$role": role}
    now = actor.now()
    ms = actor.store.clock.now_ms()
    user = {"cardinality": "HAS_ONE", "objectType": "user", "values": [new_id("user", ms, rng)]}
    doc = {
        "id": new_id("member", ms, rng),
        "createdAt": now,
        "updatedAt": now,
        "httpLink": None,
        "fields": {k: wrap(MEMBER_FIELDS[k], v) for k, v in values.items()},
        "relationships": {"$user": user},
    }
    return actor.store.insert(actor.workspace_id, "member", doc)


def create_workspace(
    store: Store, rng: random.Random | None = None, scopes: tuple[str, ...] = ()
) -> Key:
    """A new isolated workspace: an admin member, a key acting as them, the custom types."""
    token = first_token(rng)
    workspace_id = new_id("workspace", store.clock.now_ms(), rng).replace("obj_", "ws_")
    with store.tx():
        store.add_workspace(workspace_id, Actor(store, workspace_id, "").now())
        admin = member(
            Actor(store, workspace_id, ""), "Workspace Admin", "admin@example.com", "ADMIN", rng
        )
        key = Key(token, workspace_id, admin["id"], scopes)
        store.add_key(key)
        for slug, (label, _) in CUSTOM_TYPES.items():
            store.add_object_type(workspace_id, slug, label)
    return key


def add_key(store: Store, workspace_id: str, member_id: str, scopes: tuple[str, ...]) -> Key:
    """Another key on a workspace, limited to ``scopes`` (empty: full access)."""
    key = Key(f"{KEY_PREFIX}{secrets.token_hex(24)}", workspace_id, member_id, scopes)
    store.add_key(key)
    return key
