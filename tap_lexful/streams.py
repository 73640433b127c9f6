"""Stream type classes for tap-lexful."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.exceptions import FatalAPIError
from typing_extensions import override

from connector_core import BodyTooLarge, Downloaded, InDirectory, Inline, download_file, scrub
from connector_core.tap import Runtime
from lexful_api import LexfulError, contract
from tap_lexful import counts, schemas
from tap_lexful.client import LexfulStream
from tap_lexful.conform import Conformer, scalar_types

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams import Stream

# On-disk names under files_dir are ASCII, so characters are bytes: a segment of at most 100
# and an extension of at most 16 stay far below NAME_MAX (255 bytes), ".part" included.
MAX_SEGMENT = 100
MAX_EXTENSION = 16
#: files_content: directory's default cap on one file.
DEFAULT_MAX_FILE_BYTES = 5 * 1024**3


class ReferenceStream(LexfulStream):
    """A small stream that later records refer to (organizations, users): read whole on a
    first run, whatever ``start_date`` says. An asset created after ``start_date`` in an
    organization created before it would otherwise point at a row the warehouse never got.
    A bookmark of its own still applies."""

    @override
    def get_starting_timestamp(self, context: Context | None) -> datetime | None:
        start = super().get_starting_timestamp(context)
        state = self.get_context_state(context)
        own = state.get("replication_key") == self.replication_key and state.get(
            "replication_key_value"
        )
        return start if own else None

    @override
    def compare_start_date(self, value: str, start_date_value: str) -> str:
        return value  # its own bookmark, even when start_date is later


class OrganizationTypesStream(LexfulStream):
    """Organization types (client, vendor, ...): organizations refer to them by name."""

    name = "organization_types"
    path = contract.organization_types_path()
    properties = schemas.ORGANIZATION_TYPE
    sync_order = 10


class OrganizationsStream(ReferenceStream):
    """Organizations of the account."""

    name = "organizations"
    path = contract.organizations_path()
    properties = schemas.ORGANIZATION
    sync_order = 20
    organization_field = "id"
    incremental = True


class AssetTypesStream(LexfulStream):
    """Asset type definitions: the tables the asset streams are built from."""

    name = "asset_types"
    path = contract.asset_types_path()
    properties = schemas.ASSET_TYPE
    sync_order = 30


class UsersStream(ReferenceStream):
    """Users of the account."""

    name = "users"
    path = contract.users_path()
    properties = schemas.USER
    sync_order = 90
    incremental = True
    derived_fields: ClassVar[dict[str, str]] = {
        flag: field for field, flag in schemas.SCOPE_FLAGS.items()
    }

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        # A list of ids or "*" [D]: a list always, and a flag for "*" (schemas.SCOPE_FLAGS).
        for field, flag in schemas.SCOPE_FLAGS.items():
            if field in row:
                row[field], row[flag] = contract.scope_ids(row[field])
        return super().post_process(row, context)


class AssetStream(LexfulStream):
    """The assets of one asset type; one instance per type, discovered at run time."""

    path = "/v1/assets/{asset_type}"  # what the stream reads; get_url builds the real URL
    sync_order = 40
    organization_field = "organization_id"
    incremental = True
    # Left out of the records (schemas.ASSET_LEFT_OUT), still a field the API filters on.
    filter_renamed: ClassVar[dict[str, str]] = {n: n for n in schemas.ASSET_LEFT_OUT}

    def __init__(self, tap: Tap, runtime: Runtime, definition: dict[str, Any], name: str) -> None:
        self.asset_type = str(definition["name"])
        self.properties = schemas.asset_type_properties(definition)
        self.properties_names = frozenset(prop.name for prop in self.properties)
        self.own_names = frozenset(str(p["name"]) for p in definition.get("properties") or [])
        # Derived from another record (see there): dropped, unless the schema has them.
        self.left_out = tuple(sorted(schemas.ASSET_LEFT_OUT - self.properties_names))
        self._conformer: Conformer | None = None
        super().__init__(tap, runtime, name=name)

    @override
    def get_url(self, context: Context | None) -> str:
        return self.url_base + contract.assets_path(self.asset_type)

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        # After a full read, what was emitted is checked against the API's counts.
        check = counts.Reconciliation(self, self.asset_type, context)
        for record in super().get_records(context):
            check.saw(record)
            yield record
        check.finish()

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        row.setdefault("asset_type", self.asset_type)
        for name in self.left_out:
            row.pop(name, None)
        if self._conformer is None:  # the schema is the catalog's once it is applied
            types = scalar_types(self.schema, self.own_names)
            self._conformer = Conformer(self.name, types, self.logger)
        self._conformer.apply(row)
        return super().post_process(row, context)

    @override
    def get_child_context(self, record: dict[str, Any], context: Context | None) -> Context:
        return {"asset_type": self.asset_type, "asset_id": record["id"]}

    @override
    def generate_child_contexts(
        self, record: dict[str, Any], context: Context | None
    ) -> Iterator[Context]:
        if record.get("deleted_at"):
            return  # a deleted asset's links and files went with it
        if self.selected_children:  # else: no per-record work for the SDK
            yield self.get_child_context(record, context)


class RelatedAssetsStream(LexfulStream):
    """One record per link from an asset to another: a child of every asset stream."""

    name = "related_assets"
    path = "/v1/assets/{asset_type}/{asset_id}/related"
    properties = schemas.RELATED_ASSET
    primary_keys = ("asset_id", "related_asset_id")
    parent_stream_type: type[Stream] | None = AssetStream
    state_partitioning_keys: ClassVar[list[str]] = []  # one bookmark, not one per asset
    id_field = "asset_id"  # a link item names the linked asset [A]; it has no id of its own
    selects_fields = False
    sync_order = 41
    # The API's link item names the linked asset (``asset_id``, ``asset_type``); the source
    # asset is the URL's, filtered by choosing parents, not by a filter.
    filter_renamed: ClassVar[dict[str, str]] = {
        "related_asset_id": "asset_id",
        "related_asset_type": "asset_type",
    }
    filter_refused: ClassVar[dict[str, str]] = dict.fromkeys(
        ("asset_id", "asset_type"),
        "the link's source asset (the parent, in the URL): no filter takes it; "
        "filter the asset streams, or choose them with the asset_types setting",
    )

    @override
    def get_url(self, context: Context | None) -> str:
        assert context is not None  # a child stream always runs for a parent
        return self.url_base + contract.related_path(context["asset_type"], context["asset_id"])

    @override
    def collect(self, context: Context | None) -> list[dict[str, Any]]:
        assert context is not None  # a child stream always runs for a parent
        return [
            {
                "asset_type": context["asset_type"],
                "asset_id": context["asset_id"],
                "related_asset_id": row.get("asset_id"),
                "related_asset_type": row.get("asset_type"),
                **{k: v for k, v in row.items() if k not in {"asset_id", "asset_type"}},
            }
            for row in super().collect(context)
        ]


class FilesStream(LexfulStream):
    """The files of every asset, with their bytes when ``files_content`` asks for them."""

    name = "files"
    path = "/v1/assets/{asset_type}/{asset_id}/files"
    parent_stream_type: type[Stream] | None = AssetStream
    state_partitioning_keys: ClassVar[list[str]] = []
    selects_fields = False
    sync_order = 42
    filter_refused: ClassVar[dict[str, str]] = dict.fromkeys(
        ("asset_type", "content_base64", "sha256", "local_path"),
        "made by the tap, not a field of the API's file records",
    )

    def __init__(self, tap: Tap, runtime: Runtime, **kwargs: Any) -> None:
        self.properties = schemas.file_properties(tap.config.get("files_content", "none"))
        super().__init__(tap, runtime, **kwargs)

    @override
    def get_url(self, context: Context | None) -> str:
        assert context is not None
        return self.url_base + contract.files_path(context["asset_type"], context["asset_id"])

    @override
    def collect(self, context: Context | None) -> list[dict[str, Any]]:
        # Runs on a worker thread when prefetched, so downloads overlap too.
        assert context is not None
        records = super().collect(context)
        mode = self.config.get("files_content", "none")
        for record in records:
            record.setdefault("asset_type", context["asset_type"])
            record.setdefault("asset_id", context["asset_id"])
            if mode != "none":
                self._attach_content(record, context, mode)
        return records

    def _attach_content(self, record: dict[str, Any], context: Context, mode: str) -> None:
        if record.get("upload_status", "completed") != "completed":
            return  # a pending upload has no bytes yet
        if mode == "inline":
            self._inline(record, context)
        else:
            self._save(record, context)

    def _inline(self, record: dict[str, Any], context: Context) -> None:
        limit = int(self.config.get("max_inline_bytes", 10 * 1024 * 1024))
        if (record.get("size") or 0) > limit:
            self.logger.warning(
                "Stream 'files': file %s is %s bytes, over max_inline_bytes (%d): "
                "sent without content_base64",
                record.get("id"),
                record.get("size"),
                limit,
            )
            return
        try:
            got = self._download(record, context, Inline(), limit)
        except BodyTooLarge:  # the declared size was wrong or missing: no more is read
            self.logger.warning(
                "Stream 'files': file %s has more than max_inline_bytes (%d): "
                "sent without content_base64",
                record.get("id"),
                limit,
            )
            return
        record["sha256"] = got.sha256
        record["content_base64"] = got.content_base64

    def _save(self, record: dict[str, Any], context: Context) -> None:
        """Stream the bytes to ``files_dir/<asset_type>/<asset_id>/<file_id>.<ext>``, each
        part made safe and short by ``_safe``/``_extension``: the API's names are not ours.
        Directories are 0700 and entered without following a symlink; the file is written
        0600 under a fresh name, then renamed (``connector_core.download_file``)."""
        segments = (_safe(context["asset_type"]), _safe(context["asset_id"]))
        extension = _extension(str(record.get("file_extension") or ""))
        name = _safe(str(record["id"])) + (f".{extension}" if extension else "")
        limit = int(self.config.get("max_file_bytes") or DEFAULT_MAX_FILE_BYTES)
        where = f"Stream 'files': file {scrub.clean(record['id'], 80)}"
        try:
            got = self._download(
                record, context, InDirectory(self.config["files_dir"], segments, name), limit
            )
        except BodyTooLarge:
            raise FatalAPIError(f"{where}: more than max_file_bytes ({limit})") from None
        except OSError as exc:
            raise FatalAPIError(f"{where}: not written under files_dir: {exc}") from None
        record["sha256"] = got.sha256
        record["local_path"] = got.local_path

    def _download(
        self, record: dict[str, Any], context: Context, to: Inline | InDirectory, limit: int
    ) -> Downloaded:
        """The file's bytes to ``to`` (``connector_core.download_file``: the client's retries,
        a body that breaks off read again from its start; no more than ``limit`` bytes, else
        ``BodyTooLarge``; the URL checked by the client's guard, ``connector_core.presigned``).
        The presigned URL stays in this function: never in a record, a log line or an error."""
        client = self.runtime.client
        path = contract.file_download_path(context["asset_type"], context["asset_id"], record["id"])
        where = scrub.clean(f"Stream 'files': file {record['id']} of asset {context['asset_id']}")
        try:
            self.progress.requested()
            body = client.request("GET", path, on_retry=self.progress.retried).json()
            self.progress.requested()
            url = contract.download_url(body)
            got = download_file(client, url, to, limit, on_retry=self.progress.retried)
        except (LexfulError, ValueError) as exc:
            raise FatalAPIError(f"{where}: {exc}") from None
        self._check_size(record, got.size)
        return got

    def _check_size(self, record: dict[str, Any], received: int) -> None:
        if isinstance(record.get("size"), int) and record["size"] != received:
            self.logger.warning(
                "Stream 'files': file %s declares %d bytes, %d were downloaded",
                record["id"],
                record["size"],
                received,
            )


def _clean(part: str) -> str:
    """ASCII letters, digits and ``-_.`` only: no separator, and no leading dot (no ``..``)."""
    kept = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in part)
    return kept.lstrip(".")


def _safe(part: str, limit: int = MAX_SEGMENT) -> str:
    """A path segment that cannot climb out of files_dir, at most ``limit`` characters.

    A part already safe and short (ids, type names) is kept as it is. Any other becomes a
    readable start and a hash of the whole part, so two different parts never share a segment
    (``a/b`` and ``a_b`` would both clean to ``a_b``).
    """
    cleaned = _clean(part)
    if part and cleaned == part and len(part) <= limit:
        return part
    digest = hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{cleaned[: limit - len(digest) - 1] or '_'}-{digest}"


def _extension(value: str) -> str:
    """The file's extension as a name suffix: cleaned and cut short; no hash is needed, as the
    file id before it already makes the name unique. Empty when no letter or digit is left."""
    extension = _clean(value.strip().lstrip("."))[:MAX_EXTENSION].rstrip(".")
    return extension if any(c.isalnum() for c in extension) else ""
