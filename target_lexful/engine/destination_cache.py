"""A cache of what the destination account already defines: its asset types, organization
types and users (not a Singer catalog: nothing here describes the input streams).

Read once and cached; the types are dropped when the target creates or extends one, so that
the next stream sees it.
"""

from __future__ import annotations

import threading
from typing import Any

from lexful_api import LexfulClient, contract


class DestinationCache:
    """The target account's asset types, organization types and user ids, read once and cached."""

    def __init__(self, client: LexfulClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._by_name: dict[str, dict[str, dict[str, Any]]] = {}  # list path -> name -> type
        self._users: frozenset[str] | None = None
        # dry_run: the types the plan would create or extend, as if it had (path -> name -> type)
        self._planned: dict[str, dict[str, dict[str, Any]]] = {}

    def asset_types(self) -> dict[str, dict[str, Any]]:
        return self._named(contract.asset_types_path())

    def asset_type(self, name: str) -> dict[str, Any] | None:
        return self.asset_types().get(name)

    def type_for_stream(self, stream: str) -> str | None:
        """The asset type whose normalized name is the stream's (``system_contact``)."""
        for name in self.asset_types():
            if contract.stream_name(name) == stream:
                return name
        return None

    def organization_types(self) -> dict[str, dict[str, Any]]:
        return self._named(contract.organization_types_path())

    def user_ids(self) -> frozenset[str]:
        """The users of the account (owned_by must name one of them)."""
        with self._lock:
            if self._users is None:
                users = self._client.iter_list(contract.users_path())
                self._users = frozenset(u["id"] for u in users)
            return self._users

    def plan_asset_type(self, definition: dict[str, Any]) -> None:
        """dry_run: the plan creates or extends this asset type; what follows sees it."""
        self._plan(contract.asset_types_path(), definition)

    def plan_organization_type(self, definition: dict[str, Any]) -> None:
        self._plan(contract.organization_types_path(), definition)

    def _plan(self, path: str, definition: dict[str, Any]) -> None:
        with self._lock:
            self._planned.setdefault(path, {})[definition["name"]] = definition

    def forget(self) -> None:
        """Drop the types (not the users): the target just created or extended one."""
        with self._lock:
            self._by_name.clear()

    def _named(self, path: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            if path not in self._by_name:
                self._by_name[path] = {t["name"]: t for t in self._client.iter_list(path)}
            planned = self._planned.get(path)
            return {**self._by_name[path], **planned} if planned else self._by_name[path]


def property_types(type_def: dict[str, Any] | None) -> dict[str, str]:
    """Property name -> property type of an asset type."""
    if not type_def:
        return {}
    return {p["name"]: p.get("type", "string") for p in type_def.get("properties") or []}


def reference_defs(type_def: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not type_def:
        return {}
    return {r["name"]: r for r in type_def.get("references") or []}
