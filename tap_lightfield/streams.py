"""Stream classes of tap-lightfield: one small class per collection.

The record types with a definitions endpoint (accounts, contacts, opportunities, tasks, notes,
each custom object type) are ``DefinedStream`` instances whose schema the tap builds at
discovery; the others have fixed schemas (``schemas``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from lightfield_api import contract
from tap_lightfield import schemas
from tap_lightfield.client import LightfieldStream

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk import typing as th
    from singer_sdk.helpers.types import Context

    from connector_core.tap.runtime import Runtime

#: A list's ``$objectType`` -> the collection its members are read from [D].
MEMBER_COLLECTION = {kind: path for path, kind in contract.COLLECTIONS.items()}


class DefinedStream(LightfieldStream):
    """A record type whose fields come from its definitions endpoint (built at discovery)."""

    def __init__(
        self, tap: Tap, runtime: Runtime, *, name: str, path: str, properties: th.PropertiesList
    ) -> None:
        self.properties = properties
        super().__init__(tap, runtime, name=name, path=path)


class MeetingsStream(LightfieldStream):
    """Meetings: no definitions endpoint, the documented fields [D S22]."""

    name = "meetings"
    path = contract.collection_path("meetings")
    properties = schemas.MEETING


class MembersStream(LightfieldStream):
    """The workspace's members (read only) [D S26]."""

    name = "members"
    path = contract.collection_path(contract.MEMBERS)
    properties = schemas.MEMBER


class FilesStream(LightfieldStream):
    """File metadata [D S28]; a file's bytes are behind a short-lived URL, not read here."""

    name = "files"
    path = contract.file_path()
    properties = schemas.FILE


class ListsStream(LightfieldStream):
    """Curated lists [D S20]. A list has no ``updatedAt``: it is read in full every run."""

    name = "lists"
    path = contract.collection_path("lists")
    properties = schemas.LIST
    incremental = False

    @override
    def get_child_context(self, record: dict[str, Any], context: Context | None) -> Context:
        kind = str((record.get("fields") or {}).get("$objectType") or "")
        return {"list_id": record["id"], "collection": MEMBER_COLLECTION.get(kind, kind)}


class ListMembersStream(LightfieldStream):
    """One record per member of a list: which account, contact or opportunity is in it.

    Memberships carry no timestamp, so every list's members are read in full every run.
    """

    name = "list_members"
    path = "/v1/lists/{list_id}/{collection}"
    properties = schemas.LIST_MEMBER
    primary_keys = ("list_id", "record_id")
    parent_stream_type = ListsStream
    state_partitioning_keys: ClassVar[list[str]] = []  # one bookmark, not one per list
    incremental = False

    @override
    def get_url(self, context: Context | None) -> str:
        assert context is not None  # a child stream always runs for a parent
        return self.url_base + contract.list_members_path(context["list_id"], context["collection"])

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        assert context is not None
        kind = contract.COLLECTIONS.get(context["collection"], context["collection"])
        return {"list_id": context["list_id"], "record_id": row["id"], "object_type": kind}
