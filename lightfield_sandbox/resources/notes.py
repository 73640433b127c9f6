"""What notes add to the entity rules: relationships change by ``add`` and ``remove`` only."""

from __future__ import annotations

from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import bad_request


def check_update(body: dict[str, Any]) -> None:
    """Note relationships are HAS_MANY: an update sends ``{add?, remove?}`` per key, never
    ``replace`` nor a bare id (400 ``invalid_value`` naming the relationship) [D]."""
    for key, value in (body.get("relationships") or {}).items():
        allowed = set(contract.NOTE_RELATIONSHIP_OPERATIONS)
        if not isinstance(value, dict) or not value or set(value) - allowed:
            msg = f"a note's {key} changes by add and remove only"
            raise bad_request(msg, contract.INVALID_VALUE, f"relationships.{key}")
