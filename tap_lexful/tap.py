"""Lexful tap class: settings and discovery."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th
from singer_sdk.exceptions import MappingError
from typing_extensions import override

from connector_core import (
    DISTRIBUTION,
    OneLineStop,
    OneLineStopTap,
    file_hosts_property,
    setting_error,
    user_agent_property,
)
from connector_core.tap import Runtime
from lexful_api import LexfulAuthError, LexfulError, adapt, contract
from lexful_api.settings import (
    client_from_config,
    concurrency_property,
    connection_properties,
    max_concurrency,
    request_properties,
)
from tap_lexful import (
    all_parents,
    bookmarks,
    catalog,
    counts,
    filter_trees,
    settings_check,
    streams,
)
from tap_lexful.client import LexfulStream, LexfulStreamError
from tap_lexful.message_writer import BufferedMsgSpecWriter

# by name: in the class, `streams` is the property
from tap_lexful.streams import DEFAULT_MAX_FILE_BYTES, AssetStream

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

FIXED_STREAMS: tuple[type[LexfulStream], ...] = (
    streams.OrganizationTypesStream,
    streams.OrganizationsStream,
    streams.AssetTypesStream,
    streams.UsersStream,
    counts.AssetCountsStream,
)


class TapLexful(OneLineStopTap):
    """Singer tap for the Lexful IT-documentation API."""

    name = "tap-lexful"
    package_name = DISTRIBUTION  # the distribution it is installed from: --version reads it
    dynamic_catalog = True  # asset streams come from GET /v1/asset_types at every run
    # msgspec: 50k records in ~5 s against ~10 s with the default writer; and no flush per
    # RECORD (see BufferedMsgSpecWriter).
    message_writer_class = BufferedMsgSpecWriter
    _ordered_streams: dict[str, Stream] | None = None  # see streams
    _left_out: list[str] = []  # noqa: RUF012  # asset types the asset_types setting leaves out
    # No API at api_url, a web page there, an HTTP error: one ERROR line, no traceback.
    known_failures = (LexfulError, LexfulStreamError)

    config_jsonschema = th.PropertiesList(
        *connection_properties("read"),
        th.Property(
            "start_date",
            th.DateTimeType,
            description=(
                "Read assets (with their links and files) from this moment on, first run only; "
                "organizations and users are read whole."
            ),
        ),
        th.Property(
            "replication_key",
            th.StringType,
            default="created_at",
            allowed_values=["created_at", "updated_at"],
            description=(
                "Field incremental streams (organizations, users, assets) follow: created_at "
                "(the documented flow: new records) or updated_at (also catches updates)."
            ),
        ),
        th.Property(
            "lookback_seconds",
            th.IntegerType(minimum=0),
            default=0,
            description="Re-read this many seconds before the bookmark on each run.",
        ),
        th.Property(
            "asset_types",
            th.ArrayType(th.StringType),
            description="Names of the asset types to sync (e.g. system.contact); default all.",
        ),
        th.Property(
            "organization_ids",
            th.ArrayType(th.UUIDType),
            description=(
                "Limit organizations and assets (with their links and files) to these "
                "organizations; also how a large account is split across several runs."
            ),
        ),
        th.Property(
            "filters",
            th.ObjectType(additional_properties=th.ObjectType(additional_properties=True)),
            default={},
            description=(
                "Extra API filters per stream, e.g. "
                '{"system_contact": {"important[eq]": "true"}}: field[op] -> value (null '
                "is the API's null). Checked against the endpoint's fields; none on "
                "asset_types."
            ),
        ),
        th.Property(
            filter_trees.SETTING,
            th.ObjectType(additional_properties=th.CustomType({"type": ["object", "string"]})),
            default={},
            description=(
                "A filter tree per stream (organizations, users, asset streams, types), "
                'ANDed with filters, e.g. {"users": {"or": ["role[eq]=admin", '
                '{"and": ["role[eq]=support", "last_name[like]=R%"]}]}}: at most 3 levels '
                "and 50 conditions."
            ),
        ),
        th.Property(
            "include_deleted",
            th.BooleanType,
            default=False,
            description="Also emit soft-deleted records, with _sdc_deleted_at set.",
        ),
        th.Property(
            "emit_deletes",
            th.BooleanType,
            default=True,
            description=(
                "Each incremental run of organizations, users and the asset streams also "
                "reads what was deleted since its last run and emits it with _sdc_deleted_at "
                "(a loader soft-deletes the row). false: only new records."
            ),
        ),
        th.Property(
            counts.SETTING,
            th.StringType,
            default="warn",
            allowed_values=list(counts.MODES),
            description=(
                "After a full read of an asset stream (no bookmark, no filter), compare what "
                "was emitted with the API's own counts per organization: warn (log each "
                "difference), fail (stop the run) or off."
            ),
        ),
        th.Property(
            "page_size",
            th.IntegerType(minimum=2, maximum=contract.MAX_PAGE_SIZE),
            default=contract.MAX_PAGE_SIZE,
            description=(
                "Records per request (2..1000; pages overlap by one record). The largest is "
                "the default: fewer requests, the cost a rate-limited account pays."
            ),
        ),
        concurrency_property("Requests (pages of a list, children of a page)"),
        th.Property(
            "files_content",
            th.StringType,
            default="none",
            allowed_values=["none", "inline", "directory"],
            description=(
                "File bytes: none (metadata only), inline (content_base64, up to "
                "max_inline_bytes) or directory (written under files_dir, with local_path)."
            ),
        ),
        th.Property(
            "max_inline_bytes",
            th.IntegerType(minimum=0),
            default=10 * 1024 * 1024,
            description="Largest file sent inline; bigger ones come without content_base64.",
        ),
        th.Property(
            "files_dir",
            th.StringType,
            description="Directory the bytes are written to when files_content is directory.",
        ),
        th.Property(
            "max_file_bytes",
            th.IntegerType(minimum=1),
            default=DEFAULT_MAX_FILE_BYTES,
            description=(
                "Largest file written under files_dir; a bigger one fails the run (its bytes "
                "are not read past this)."
            ),
        ),
        file_hosts_property(),
        th.Property(
            "children",
            th.StringType,
            default="new_parents",
            allowed_values=["new_parents", "all_parents"],
            description=(
                "How related_assets and files are read. new_parents: for the assets the run "
                "emits (fast; a link or file added to an older asset is not seen). "
                "all_parents: for every asset of every type, every run; under ACTIVATE_VERSION "
                "(a loader drops what is gone) only when no organization_ids, asset_types or "
                "filter on the child stream narrows it."
            ),
        ),
        th.Property(
            "log_child_syncs",
            th.BooleanType,
            default=False,
            description=(
                "Log the start and METRIC lines of every child sync (related_assets, files: "
                "one per asset). Off: one summary line per stream; DEBUG turns them on too."
            ),
        ),
        user_agent_property("tap-lexful"),
        *request_properties(),
    ).to_dict()

    @cached_property
    def runtime(self) -> Runtime:
        """The one client (one session, one token) and worker pool of this run."""
        config = self.config
        concurrency = max_concurrency(config)
        client = client_from_config(
            config, user_agent=config.get("user_agent"), concurrency=concurrency
        )
        client.retry_log_level = logging.DEBUG  # summed up per stream (Progress.summary)
        return Runtime(client, concurrency, thread_name_prefix="lexful")

    @override
    def setup_mapper(self) -> None:
        # With an input catalog the SDK builds the stream maps before any discovery: a map
        # that does not parse is then a setting's one-line error too, not a traceback.
        try:
            settings_check.check_flattening(self.config)
        except settings_check.SettingError as exc:
            raise setting_error(str(exc)) from None
        # A sync, not --discover (whose tap the SDK builds without a mapper): a walk the API
        # cannot sort (one sort key only, learned at the first list call) stops it in one
        # line before any record; discovery lists the streams whatever the walks.
        settings_check.expect_walks(self.config, client := self.runtime.client)
        try:
            super().setup_mapper()  # the streams are discovered here (without a catalog)
        except MappingError as exc:
            raise setting_error(f"stream_maps: {exc}") from None
        try:
            settings_check.check_walk_orders(self.config, client)
        except adapt.Unsupported as exc:
            raise OneLineStop(str(exc)) from None

    @override
    def discover_streams(self) -> list[Stream]:
        self._check_settings()
        # The walks a sync needs are checked at the sync (setup_mapper), not here.
        definitions = self._asset_types()  # first: a refused key or account is told as such
        try:
            settings_check.check_organization_ids(self.config, self.runtime.client)
        except settings_check.SettingError as exc:
            raise setting_error(str(exc)) from None
        fixed = [stream_class(self, self.runtime) for stream_class in FIXED_STREAMS]
        fixed += self._child_streams()
        taken = {stream.name for stream in fixed}
        assets = [self._asset_stream(definition, taken) for definition in definitions]
        discovered: list[Stream] = [*fixed, *assets]
        self._check_filters({stream.name: stream for stream in discovered})
        trees = filter_trees.field_problem(
            self.config,
            {s.name: set(s.schema["properties"]) for s in discovered},
            {s.name for s in discovered if isinstance(s, LexfulStream) and s.selects_fields},
        )
        if trees:
            raise setting_error(trees)
        try:
            settings_check.check_stream_maps(
                self.config, [(s.name, s.schema, list(s.primary_keys or [])) for s in discovered]
            )
        except settings_check.SettingError as exc:
            raise setting_error(str(exc)) from None
        return discovered

    @property
    @override
    def streams(self) -> dict[str, Stream]:
        # The SDK's load_streams() (final, so not a hook) sorts the streams by name; a loader
        # that writes them back needs dependencies first (organization types, organizations,
        # asset types, assets, then users). The SDK loads them once; they are ordered once.
        if self._ordered_streams is None:
            loaded = super().streams
            self._ordered_streams = dict(sorted(loaded.items(), key=lambda i: _sync_rank(i[1])))
            catalog.reconcile(self, self._ordered_streams)
        return self._ordered_streams

    def _child_streams(self) -> list[LexfulStream]:
        if self.config.get("children") != "all_parents":
            return [
                streams.RelatedAssetsStream(self, self.runtime),
                streams.FilesStream(self, self.runtime),
            ]
        return [
            all_parents.EveryParentRelatedAssetsStream(
                self, self.runtime, self._parent_types, self._left_out_types
            ),
            all_parents.EveryParentFilesStream(
                self, self.runtime, self._parent_types, self._left_out_types
            ),
        ]

    def _parent_types(self) -> list[str]:
        """The asset types whose children an all_parents run reads: every synced type, the
        asset streams selected or not, so that the pass can be the tables' full set."""
        return [s.asset_type for s in self.streams.values() if isinstance(s, AssetStream)]

    def _left_out_types(self) -> list[str]:
        """The account's asset types the ``asset_types`` setting leaves out."""
        return self._left_out

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        if not state.get("bookmarks"):
            return  # nothing to compare: each stream writes its scope as it starts
        for stream in self.streams.values():
            if not isinstance(stream, LexfulStream) or not stream.incremental:
                continue
            if stream.selected or stream.has_selected_descendents:
                stream.catch_up = bookmarks.reconcile(stream)

    def _asset_types(self) -> list[dict[str, Any]]:
        """The asset type definitions to sync; a refused key or account fails here, first."""
        reader = streams.AssetTypesStream(self, self.runtime)
        try:
            # A deleted type (listed with include_deleted) has no asset list to read.
            definitions = [d for d in reader.collect(None) if not d.get("deleted_at")]
        except LexfulStreamError as exc:
            if isinstance(exc.cause, adapt.Unsupported):  # one sort key, and a walk needs two
                raise OneLineStop(str(exc.cause)) from None
            # 403: the account (header) is not the key's; 401: the key pair itself [A].
            if _status(exc.cause) == 403:
                raise setting_error(f"account_id: refused: {exc.cause}") from None
            if isinstance(exc.cause, LexfulAuthError) or _status(exc.cause) == 401:
                raise setting_error(f"api_key_id/api_key_secret: {exc.cause}") from None
            raise
        wanted = self.config.get("asset_types")
        if not wanted:
            return definitions
        known = {str(item["name"]) for item in definitions}
        unknown = sorted(set(wanted) - known)
        if unknown:
            msg = f"asset_types: unknown asset type(s) {unknown}; known: {sorted(known)}"
            raise setting_error(msg)
        self._left_out = sorted(known - set(wanted))
        return [item for item in definitions if item["name"] in set(wanted)]

    def _asset_stream(self, definition: dict[str, Any], taken: set[str]) -> AssetStream:
        name = contract.stream_name(str(definition["name"]))
        if name in taken:  # a custom type named like a fixed stream ("users", "files")
            self.logger.warning("Asset type %r is synced as stream 'asset_%s'", name, name)
            name = f"asset_{name}"
        taken.add(name)
        return AssetStream(self, self.runtime, definition, name)

    def _check_settings(self) -> None:
        try:
            settings_check.check_settings(self.config)
        except settings_check.SettingError as exc:
            raise setting_error(str(exc)) from None
        tree_problem = filter_trees.shape_problem(self.config)  # before any request
        if tree_problem:
            raise setting_error(tree_problem)

    def _check_filters(self, by_name: dict[str, Stream]) -> None:
        """Every filter names a stream and a field its endpoint filters on."""
        fields = {
            name: stream.filter_fields
            for name, stream in by_name.items()
            if isinstance(stream, LexfulStream)
        }
        try:
            settings_check.check_filters(self.config, fields)
        except settings_check.SettingError as exc:
            raise setting_error(str(exc)) from None


def _sync_rank(stream: Stream) -> tuple[int, str]:
    return (getattr(stream, "sync_order", 50), stream.name)


def _status(error: LexfulError) -> int | None:  # an HTTP error's status; None for the others
    return getattr(error, "status", None)


if __name__ == "__main__":
    TapLexful.cli()
