"""Related assets: links from one asset to others, each with a description."""

from __future__ import annotations

from typing import Any

from lexful_sandbox.common.errors import bad_request, not_found
from lexful_sandbox.common.util import next_id_and_time
from lexful_sandbox.resources import assets
from lexful_sandbox.resources.validation import fail
from lexful_sandbox.storage.store import Store

VIEW = """(SELECT r.account_id, r.asset_id AS owner_id, r.related_id AS asset_id,
    a.type AS asset_type, json_extract(a.doc, '$.name') AS name, r.description,
    r.created_at, r.seq, a.deleted_at,
    json_object('asset_id', r.related_id, 'asset_type', a.type,
        'name', json_extract(a.doc, '$.name'), 'description', r.description,
        'created_at', r.created_at) AS doc
    FROM related r JOIN assets a ON a.account_id = r.account_id AND a.id = r.related_id)"""
COLUMNS = {
    "asset_id": "asset_id",
    "asset_type": "asset_type",
    "name": "name",
    "description": "description",
    "created_at": "created_at",
    "id": "seq",
}


def put(store: Store, account_id: str, type_name: str, asset_id: str, raw: Any) -> None:
    """Idempotent per asset_id: a second PUT of the same id updates the description."""
    if not isinstance(raw, list):
        raise bad_request("expected a JSON array of {asset_id, description}")
    with store.tx():
        assets.get(store, account_id, type_name, asset_id, deleted=False)
        for i, item in enumerate(raw):
            target, description = _related_item(store, account_id, asset_id, item, i)
            created_at = next_id_and_time()[1]
            store.execute(
                "INSERT INTO related (account_id, asset_id, related_id, description, created_at,"
                " seq) VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM related))"
                " ON CONFLICT (account_id, asset_id, related_id)"
                " DO UPDATE SET description = excluded.description",
                (account_id, asset_id, target, description, created_at),
            )


def _related_item(
    store: Store, account_id: str, owner: str, item: Any, i: int
) -> tuple[str, str | None]:
    if not isinstance(item, dict):
        raise bad_request(f"[{i}] expected an object")
    for key in item:
        if key not in ("asset_id", "description"):
            raise fail(f"[{i}].{key}", "unknown field")
    target, description = item.get("asset_id"), item.get("description")
    if description is not None and not isinstance(description, str):
        raise fail(f"[{i}].description", "expected a string")
    if (
        not isinstance(target, str)
        or not store.get("assets", account_id, target)
        or target == owner
    ):
        raise fail(f"[{i}].asset_id", "must name another asset of the account")
    return target, description


def delete(store: Store, account_id: str, type_name: str, asset_id: str, related_id: str) -> None:
    with store.tx():
        assets.get(store, account_id, type_name, asset_id, deleted=False)
        removed = store.execute(
            "DELETE FROM related WHERE account_id = ? AND asset_id = ? AND related_id = ?",
            (account_id, asset_id, related_id),
        )
    if not removed:
        raise not_found(f"link from {asset_id} to {related_id}")
