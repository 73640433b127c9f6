"""What a stream writes to: its collection, its writable fields and relationships.

Read from the definitions endpoints [D] (a field's ``readOnly``, a relationship's cardinality)
and the contract (the relationships no client writes, and the pairs written from one side
only). A meeting's one writable relationship is ``$transcript`` [D]; emails go to
``POST /v1/emails/log`` [D].
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from connector_core.target import RecordError
from lightfield_api import contract
from lightfield_api.http import LightfieldClient

ENTITY, MEMBERS, LISTS, LIST_MEMBERS, FILES, EMAILS = (
    "entity",
    "members",
    "lists",
    "list_members",
    "files",
    "emails",
)
_FIXED = {
    "members": (MEMBERS, "member"),
    "lists": (LISTS, "list"),
    "list_members": (LIST_MEMBERS, "list_member"),
    "files": (FILES, "file"),
    contract.EMAILS: (EMAILS, "email"),
}


def match_on_problem(stream: str) -> str | None:
    """Why ``match_on`` cannot apply to ``stream`` (None: it can, or it is a custom type's):
    only entity records are looked up by their fields."""
    kind = _FIXED.get(stream, (None, None))[0]
    if kind == MEMBERS:
        return "members are always matched by $email (see member_map)"
    if kind is not None:
        return f"{stream} are found only through the id map, never by their fields"
    return None


@dataclass(frozen=True)
class Route:
    """Where a stream's records go and what of them may be sent."""

    kind: str  # ENTITY, MEMBERS, LISTS, LIST_MEMBERS, FILES, EMAILS
    object_type: str
    create_path: str = ""
    read_only_fields: frozenset[str] = frozenset()
    relationships: dict[str, str] = field(default_factory=dict)  # writable slug -> object type
    many: frozenset[str] = frozenset()  # the writable relationships that are HAS_MANY
    value_types: dict[str, str] = field(default_factory=dict)  # field slug -> valueType
    field_defs: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> definition
    #: The relationships kept in step with the other side's (``account.$contact``): their ids
    #: are written when already in the copy, never waited for.
    soft: frozenset[str] = frozenset()

    def update_path(self, record_id: str) -> str:
        return f"{self.create_path}/{record_id}"

    def restore_path(self, record_id: str) -> str:
        """``POST /v1/{collection}/{id}/restore``, ``/v1/objects/{slug}/values/{id}/restore``
        [D SDK ``*.restore``]."""
        return f"{self.update_path(record_id)}/restore"


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
            path = contract.EMAIL_LOG_PATH if kind == EMAILS else contract.collection_path(stream)
            return Route(kind, object_type, path)
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
    definitions = answer.get("relationshipDefinitions") or {}
    relationships = {
        slug: str(d.get("objectType"))
        for slug, d in definitions.items()
        if slug not in never
        and not d.get("readOnly")
        and (object_type != "meeting" or slug == contract.MEETING_TRANSCRIPT)
    }
    many = frozenset(
        s for s in relationships if str(definitions[s].get("cardinality")).upper() == "HAS_MANY"
    )
    types = {slug: str(d.get("valueType")) for slug, d in fields.items()}
    defs = {str(slug): dict(d) for slug, d in fields.items()}
    soft = frozenset(
        s for s in relationships if (object_type, s) in contract.WRITTEN_FROM_OTHER_SIDE
    )
    return Route(ENTITY, object_type, path, read_only, relationships, many, types, defs, soft)
