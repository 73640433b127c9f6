"""Stream classes of tap-lightfield: one small class per collection.

The record types with a definitions endpoint (accounts, contacts, opportunities, tasks, notes,
each custom object type) are ``DefinedStream`` instances whose schema the tap builds at
discovery; the others have fixed schemas (``schemas``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from typing_extensions import override

from connector_core import BodyTooLarge, Downloaded, Inline, download_file
from lightfield_api import adapt, contract
from lightfield_api.errors import LightfieldError
from tap_lightfield import bookmarks, schemas, trash
from tap_lightfield.client import LightfieldStream

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import Future

    from singer_sdk import Tap
    from singer_sdk import typing as th
    from singer_sdk.helpers.types import Context

    from connector_core.tap import Runtime
    from tap_lightfield.trash import Page as TrashPage

#: files_content's default cap on one inline file: base64 makes a line a third bigger again.
DEFAULT_MAX_INLINE_BYTES = 10 * 1024 * 1024
#: A list's ``$objectType`` -> the collection its members are read from [D].
MEMBER_COLLECTION = {kind: path for path, kind in contract.COLLECTIONS.items()}


class DefinedStream(LightfieldStream):
    """A record type whose fields come from its definitions endpoint (built at discovery).

    ``trash``: the collection whose trashed records this stream also reads (``trash``)."""

    def __init__(
        self,
        tap: Tap,
        runtime: Runtime,
        *,
        name: str,
        path: str,
        properties: th.PropertiesList,
        trash: str | None = None,
    ) -> None:
        self.properties = properties
        if trash is not None:
            self.properties.append(schemas.DELETED)
        if trash == "meetings":
            for extra in schemas.PRIVACY_AWARE:
                self.properties.append(extra)
        self.trash = trash
        self._defined: dict[str, list[str]] = {}  # fields / relationships -> defined keys
        super().__init__(tap, runtime, name=name, path=path)
        self._trash_first: Future[TrashPage] | None = None

    @override
    def request_ahead(self, context: Context | None) -> None:
        """The trash's first page is asked for with the list's: asked for only when the
        stream starts, it would come back after a stream of one page ended, a round trip of
        idle budget per stream."""
        super().request_ahead(context)
        if self.trash is not None and context is None and self._trash_first is None:
            self._trash_first = trash.request_first(self, self.trash)

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        """Every defined field and relationship, null (``[]``) where the API left it out
        [A contract.ALL_KEYS_PRESENT; adapt.fill_defined]: an unset field downstream is null
        whether the API sent it so or not."""
        record = super().post_process(row, context)
        if record is None:
            return None
        for part in ("fields", "relationships"):
            values = record.get(part)
            if isinstance(values, dict):
                defined = self._defined_keys(part)
                record[part] = adapt.fill_defined(values, defined, many=part == "relationships")
        return record

    def _defined_keys(self, part: str) -> list[str]:
        if part not in self._defined:
            props = (self.schema.get("properties") or {}).get(part) or {}
            self._defined[part] = list((props.get("properties") or {}).keys())
        return self._defined[part]

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        after = bookmarks.emit_after(self, context)
        first, self._trash_first = self._trash_first, None
        if first is None and self.trash is not None:
            first = trash.request_first(self, self.trash)
        yield from super().get_records(context)
        if self.trash is not None:
            yield from trash.trashed_since(self, self.trash, context, after, first)


class EmailsStream(LightfieldStream):
    """Emails [D]: list items come without ``$body``; ``email_bodies`` fetches each one's
    (``GET /v1/emails/{id}``, one request per email emitted)."""

    name = "emails"
    path = contract.collection_path(contract.EMAILS)
    properties = schemas.EMAIL

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        record = super().post_process(row, context)
        if record is not None and self.config.get("email_bodies", False):
            record["fields"][contract.EMAIL_BODY] = self._body(str(record["id"]))
        return record

    def _body(self, email_id: str) -> Any:
        path = contract.collection_path(contract.EMAILS, email_id)
        try:
            full = self.runtime.client.get_json(path)
        except LightfieldError as exc:
            raise FatalAPIError(f"Stream 'emails': email {email_id}: {exc}") from None
        item = (
            (full.get("fields") or {}).get(contract.EMAIL_BODY) if isinstance(full, dict) else None
        )
        return item.get("value") if isinstance(item, dict) else None


class MembersStream(LightfieldStream):
    """The workspace's members (read only) [D S26]."""

    name = "members"
    path = contract.collection_path(contract.MEMBERS)
    properties = schemas.MEMBER


class FilesStream(LightfieldStream):
    """File metadata [D S28]; with ``files_content: inline``, a COMPLETED file's bytes too.

    The bytes are behind a short-lived URL (``GET /v1/files/{id}/url`` [D]), fetched without
    Lightfield's auth headers (the URL signs itself) and never written to a record or a log.
    """

    name = "files"
    path = contract.file_path()

    def __init__(self, tap: Tap, runtime: Runtime, **kwargs: Any) -> None:
        self.properties = schemas.file_properties(tap.config.get("files_content", "none"))
        super().__init__(tap, runtime, **kwargs)

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        record = super().post_process(row, context)
        if record is not None and self.config.get("files_content", "none") == "inline":
            self._inline(record)
        return record

    @override
    def unsettled(self, record: dict[str, Any]) -> bool:
        # No timestamp records a pending upload cancelled or expired: a file that is not
        # COMPLETED is sent every run, so its status downstream follows.
        return record.get("status") != "COMPLETED"

    def _inline(self, record: dict[str, Any]) -> None:
        if record.get("status") != "COMPLETED":
            return  # only a COMPLETED file has bytes and a URL [D]
        limit = int(self.config.get("max_inline_bytes", DEFAULT_MAX_INLINE_BYTES))
        size = record.get("sizeBytes")
        if isinstance(size, int) and size > limit:
            self._too_big(record, size, limit)
            return
        got = self._download(str(record["id"]), limit)
        if got is None:  # the declared size was wrong or missing
            self._too_big(record, limit + 1, limit)
            return
        record["sha256"] = got.sha256
        record["content_base64"] = got.content_base64

    def _too_big(self, record: dict[str, Any], size: int, limit: int) -> None:
        self.logger.warning(
            "Stream 'files': file %s is over max_inline_bytes (%d; %s bytes or more): "
            "sent without content_base64",
            record.get("id"),
            limit,
            size,
        )

    def _download(self, file_id: str, limit: int) -> Downloaded | None:
        """The file's bytes (``connector_core.download_file``: the client's retries, a body
        that breaks off read again from its start); None once more than ``limit`` came (the
        rest is not read). The URL is checked by the client's guard (and each redirect)
        first: ``connector_core.presigned``."""
        client = self.runtime.client
        where = f"Stream 'files': file {file_id}"
        try:
            url = client.get_json(contract.file_path(file_id, "url"))["url"]
            return download_file(client, str(url), Inline(), limit, on_retry=self.progress.retried)
        except BodyTooLarge:
            return None  # more than limit came: the rest is not read
        except (LightfieldError, KeyError, TypeError, ValueError) as exc:
            raise FatalAPIError(f"{where}: {exc}") from None


class ListsStream(LightfieldStream):
    """Curated lists [D S20]. A list has no ``updatedAt``: it is read in full every run."""

    name = "lists"
    path = contract.collection_path("lists")
    properties = schemas.LIST
    incremental = False

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        return True  # the full set every run: a loader drops the rows of a list deleted

    @override
    def get_child_context(self, record: dict[str, Any], context: Context | None) -> Context:
        kind = str((record.get("fields") or {}).get("$objectType") or "")
        return {"list_id": record["id"], "collection": MEMBER_COLLECTION.get(kind, kind)}


class ListMembersStream(LightfieldStream):
    """One record per member of a list: which account, contact or opportunity is in it.

    Memberships carry no timestamp, so every list's members are read in full every run, under
    ``ACTIVATE_VERSION``: a membership removed is gone downstream too.
    """

    name = "list_members"
    path = "/v1/lists/{list_id}/{collection}"
    properties = schemas.LIST_MEMBER
    primary_keys = ("list_id", "record_id")
    parent_stream_type = ListsStream
    state_partitioning_keys: ClassVar[list[str]] = []  # one bookmark, not one per list
    incremental = False

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # The full set every run, under one version (the stream's start): a loader drops a
        # membership that did not come again. The SDK sends the message before each list's
        # members, so rows of a list not read yet are marked gone until it is (a run that
        # stops midway leaves them so until the next).
        return True

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
