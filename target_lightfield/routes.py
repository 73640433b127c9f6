"""What a stream writes to: its collection, its writable fields and relationships.

Read from the definitions endpoints [D S13, S31] (a field's ``readOnly``) and the contract (the
relationships no client writes, and the pairs written from one side only). Meetings have no
definitions endpoint: their documented fields, and ``$transcript`` as their one writable
relationship [D S22].
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from connector_core.target.errors import RecordError
from lightfield_api import contract
from lightfield_api.http import LightfieldClient

ENTITY, MEMBERS, LISTS, LIST_MEMBERS, FILES = (
    "entity",
    "members",
    "lists",
    "list_members",
    "files",
)
_FIXED = {
    "members": (MEMBERS, "member"),
    "lists": (LISTS, "list"),
    "list_members": (LIST_MEMBERS, "list_member"),
    "files": (FILES, "file"),
}
_MEETING_RELATIONSHIPS = {"$transcript": "file"}  # [D] the only writable one


@dataclass(frozen=True)
class Route:
    """Where a stream's records go and what of them may be sent."""

    kind: str  # ENTITY, MEMBERS, LISTS, LIST_MEMBERS, FILES
    object_type: str
    create_path: str = ""
    read_only_fields: frozenset[str] = frozenset()
    relationships: dict[str, str] = field(default_factory=dict)  # writable slug -> object type

    def update_path(self, record_id: str) -> str:
        return f"{self.create_path}/{record_id}"


class Routes:
    """Stream name -> Route, each read from the API once per run."""

    def __init__(self, client: LightfieldClient) -> None:
        self._client = client
        self._routes: dict[str, Route] = {}
        self._custom: list[str] | None = None
        self._lock = threading.Lock()

    def route(self, stream: str) -> Route:
        with self._lock:
            if stream not in self._routes:
                self._routes[stream] = self._build(stream)
            return self._routes[stream]

    def _build(self, stream: str) -> Route:
        if stream in _FIXED:
            kind, object_type = _FIXED[stream]
            return Route(kind, object_type, contract.collection_path(stream))
        if stream == "meetings":
            return Route(
                ENTITY,
                "meeting",
                contract.collection_path(stream),
                relationships=_MEETING_RELATIONSHIPS,
            )
        if stream in contract.WITH_DEFINITIONS:
            answer = self._client.get_json(contract.definitions_path(stream))
            return _defined(contract.COLLECTIONS[stream], contract.collection_path(stream), answer)
        slug = self._custom_slug(stream)
        answer = self._client.get_json(contract.object_definitions_path(slug))
        return _defined(slug, contract.object_values_path(slug), answer)

    def _custom_slug(self, stream: str) -> str:
        if self._custom is None:
            body = self._client.get_json(contract.objects_path())
            self._custom = [str(item["objectType"]) for item in body.get("data") or []]
        for slug in self._custom:
            if stream in (slug, f"object_{slug}"):  # tap-lightfield's names for custom types
                return slug
        msg = f"unknown stream {stream!r}: no Lightfield collection or custom object type"
        raise RecordError(msg)


def _defined(object_type: str, path: str, answer: Any) -> Route:
    fields = answer.get("fieldDefinitions") or {}
    read_only = frozenset(slug for slug, d in fields.items() if d.get("readOnly"))
    never = set(contract.READ_ONLY_RELATIONSHIPS.get(object_type, ())) | {contract.CREATED_BY}
    relationships = {
        slug: str(d.get("objectType"))
        for slug, d in (answer.get("relationshipDefinitions") or {}).items()
        if slug not in never
        and not d.get("readOnly")
        and (object_type, slug) not in contract.WRITTEN_FROM_OTHER_SIDE
    }
    return Route(ENTITY, object_type, path, read_only, relationships)
