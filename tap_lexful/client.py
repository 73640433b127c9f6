"""The base stream of tap-lexful: how a Lexful list is requested, paged and read.

Every request goes through ``lexful_api.LexfulClient`` (one pooled session, one shared token,
retries, the client-side rate budget), so the SDK's request loop and backoff are not used:
``get_records`` walks the list with a ``paging.PageWalker``, and each page's request is still
built by the SDK's public ``get_http_request`` hook (URL, params) and sent by ``fetch_page``.
"""

from __future__ import annotations

import json
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from connector_core.tap import (
    OverlapPager,
    Page,
    PagedStream,
    PageToken,
    PageWalker,
    Position,
    Progress,
    Records,
    Runtime,
    StreamError,
    Walk,
    run_now,
    wait_for,
)
from lexful_api import LexfulError, adapt, contract
from tap_lexful import bookmarks, deletes, filter_trees
from tap_lexful.message_writer import BufferedMsgSpecWriter
from tap_lexful.schemas import json_text_fields, stream_schema
from tap_lexful.settings_check import FilterFields, api_filter_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from concurrent.futures import Future

    from singer_sdk import Tap
    from singer_sdk import typing as th
    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import Catalog

__all__ = ["LexfulStream", "LexfulStreamError"]


class LexfulStreamError(StreamError):
    """A request of a Lexful stream failed for good: its ``cause`` is the ``LexfulError``."""

    cause: LexfulError  # only ever raised with one (``PagedStream.fetch_page``)


class LexfulStream(PagedStream):
    """A Lexful list endpoint, walked in ``(order_field, id)`` order with concurrent pages.

    Records are emitted strictly in that order (so incremental state is resumable), the pages
    after the first are fetched concurrently once the first page tells the ``total``, and the
    child streams' records for a page of parents are fetched concurrently while the parents
    are emitted.
    """

    api_error = LexfulError
    stream_error = LexfulStreamError
    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    # Records are parsed JSON, already of JSON types, under a schema built from the same
    # definitions: the SDK's per-field conformance pass (40% of the CPU time) adds nothing.
    # Properties outside the schema are kept, not dropped, and reported once (post_process).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: The field the list is sorted on when the stream is not incremental.
    walk_key: ClassVar[str] = "created_at"
    #: The unique field that breaks ties in the sort.
    id_field: ClassVar[str] = "id"
    #: Where the sync puts the stream: dependencies first, so a loader can write them back.
    sync_order: ClassVar[int] = 50
    #: The field ``organization_ids`` restricts, when the resource belongs to organizations.
    organization_field: ClassVar[str | None] = None
    #: Whether the endpoint takes ``fields=`` and ``include_deleted=`` [D for assets, A else].
    selects_fields: ClassVar[bool] = True
    #: Whether the stream is incremental, on the ``replication_key`` setting.
    incremental: ClassVar[bool] = False
    #: Record fields the tap makes from an API field (field -> the API field): asked for as it.
    derived_fields: ClassVar[dict[str, str]] = {}
    #: Filters (the ``filters`` setting): a record field -> the API field it is, when named
    #: otherwise; a record field -> why no filter can take it (``settings_check.FilterFields``).
    filter_renamed: ClassVar[dict[str, str]] = {}
    filter_refused: ClassVar[dict[str, str]] = {}
    #: The record's properties; the schema adds ``_sdc_deleted_at`` with ``include_deleted``.
    properties: th.PropertiesList

    def __init__(self, tap: Tap, runtime: Runtime, **kwargs: Any) -> None:
        self.runtime = runtime
        include_deleted = self.selects_fields and bool(tap.config.get("include_deleted"))
        include_deleted |= deletes.enabled(
            tap.config, incremental=self.incremental, selects_fields=self.selects_fields
        )
        self.deletes = deletes.DeletesPass(self)
        schema = stream_schema(self.properties, include_deleted=include_deleted)
        super().__init__(tap, schema=schema, **kwargs)
        if self.incremental:
            self.replication_key = self.config.get("replication_key", "created_at")
        self.pager = OverlapPager(int(self.config.get("page_size", contract.MAX_PAGE_SIZE)))
        self.progress = Progress(self.logger, self.name)
        if isinstance(tap.message_writer, BufferedMsgSpecWriter):
            self.sent_counts = tap.message_writer.sent  # what the summary line says was sent
        self._prefetched: dict[tuple[str, ...], Future[Records]] = {}
        self._reported_fields: set[str] = set()
        self.advance = bookmarks.Advance(self)  # the bookmark, as records are written
        #: Organizations added to organization_ids since the bookmark (``bookmarks.reconcile``).
        self.catch_up: tuple[str, ...] = ()

    # --- request building -------------------------------------------------------------------

    @property
    @override
    def url_base(self) -> str:
        return str(self.config.get("api_url", contract.DEFAULT_API_URL)).rstrip("/")

    @property
    @override
    def is_sorted(self) -> bool:
        return True  # the walker guarantees (key, id) order, across pages and re-walks

    @property
    @override
    def check_sorted(self) -> bool:
        # A lookback window deliberately starts before the bookmark; the deletes pass emits
        # older records after the walk (and puts the bookmark back: see ``deletes``).
        return not self.config.get("lookback_seconds") and not self.deletes.on

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        # Records are emitted sorted, so the last one is an exact bookmark: no cap is needed,
        # and a signpost in another timestamp format would compare wrongly as text.
        return None

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        super().apply_catalog(catalog)
        # The setting wins over an older discovery's key; a catalog's FULL_TABLE stays one.
        if self.incremental and self.forced_replication_method != "FULL_TABLE":
            self.replication_key = bookmarks.replication_key_of(self, self.replication_key)

    @property
    def order_field(self) -> str:
        """The field the walk is ordered on: the replication key, else ``walk_key``."""
        return self.replication_key or self.walk_key

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: PageToken | None
    ) -> dict[str, Any]:
        token = next_page_token or PageToken(0, None)
        params: dict[str, Any] = {
            "limit": self.pager.page_size,
            "offset": token.offset,
            **contract.sort_params(self.order_field, self.id_field),
        }
        for key, value in self.config.get("filters", {}).get(self.name, {}).items():
            params[api_filter_key(key, self.filter_fields)] = contract.filter_value(value)
        params |= filter_trees.params(self.config, self.name)
        organization_ids = self.config.get("organization_ids")
        if organization_ids and self.organization_field:
            params[f"{self.organization_field}[in]"] = ",".join(organization_ids)
        params.update(bookmarks.catch_up_params(context, self.organization_field))
        if self.selects_fields and self.config.get("include_deleted"):
            params["include_deleted"] = "true"
        if token.since:
            params[f"{self.order_field}[gte]"] = token.since
        fields = self.api_fields()
        if fields:
            params["fields"] = ",".join(fields)
        return params

    @cached_property
    def filter_fields(self) -> FilterFields:
        """The fields a filter on this stream may name, and the API's names of them."""
        names = {name for name in self.schema["properties"] if not name.startswith("_sdc_")}
        refused = {
            name: f"made by the tap from the API's {api!r}; filter on that"
            for name, api in self.derived_fields.items()
        }
        return FilterFields(
            frozenset(names), self.filter_renamed, {**refused, **self.filter_refused}
        )

    def api_fields(self) -> list[str] | None:
        """The selected properties to ask for; None when all are selected (the default)."""
        if not self.selects_fields:
            return None
        names = [name for name in self.schema["properties"] if not name.startswith("_sdc_")]
        selected = [name for name in names if self.mask.get(("properties", name), True)]
        if len(selected) == len(names):
            return None
        needed = {self.id_field, self.order_field, *self.primary_keys}
        if self.config.get("include_deleted"):
            needed.add("deleted_at")
        asked = {self.derived_fields.get(name, name) for name in selected}
        return sorted(asked | (needed & set(names)))

    # --- responses ------------------------------------------------------------------------

    @override
    def page_of(self, body: Any) -> Page:
        return Page(contract.list_items(body), contract.list_total(body))

    def position(self, item: dict[str, Any]) -> Position:
        """The record's place in the walk's order (``adapt.position_key``: the id alone when
        the API takes one sort key and the list is walked on it)."""
        dialect = getattr(self.runtime.client, "dialect", None)  # a LexfulClient's
        if not isinstance(dialect, adapt.Dialect):
            dialect = adapt.Dialect()
        key = adapt.position_key(dialect, self.order_field, self.id_field)
        return Position(
            contract.sortable_timestamp(item.get(key)) if key else "",
            str(item.get(self.id_field, "")),
        )

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        key = self.replication_key
        if key and isinstance(row.get(key), str):
            row[key] = contract.reformat_timestamp(row[key])
        if "_sdc_deleted_at" in self.known_fields:
            row["_sdc_deleted_at"] = row.get("deleted_at")
        for name in self.json_text_fields:  # none, unless the API has types the tap lacks
            if row.get(name) is not None:
                row[name] = json.dumps(row[name], ensure_ascii=False)
        if not self.known_fields.issuperset(row):  # no set is built for the usual record
            self._report_unknown(row.keys() - self.known_fields)
        if self.deletes.active:
            self.deletes.emitted(row, context)
        elif key:
            self.advance.emitting(row, context)
        return row

    @cached_property
    def known_fields(self) -> frozenset[str]:
        """The properties the target is told of: the input catalog's when there is one
        (read at sync time, after the catalog was applied)."""
        return frozenset(self.effective_schema["properties"])

    @cached_property
    def json_text_fields(self) -> tuple[str, ...]:
        """The properties that go out as their JSON text (``schemas.asset_type_properties``)."""
        return json_text_fields(self.effective_schema)

    def _report_unknown(self, names: set[str]) -> None:
        if names <= self._reported_fields:
            return
        self._reported_fields |= names
        self.logger.warning(
            "Stream '%s': the API returned properties the schema does not declare: %s "
            "(kept in the records; run discovery again to type them)",
            self.name,
            ", ".join(sorted(names)),
        )

    # --- records ----------------------------------------------------------------------------

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if self.parent_stream_type is not None:
            yield from self._child_records(context)
            return
        self.advance.start()
        self.progress.start()
        self.deletes.start(context)
        try:
            if self.catch_up:  # organizations added since the bookmark: up to it first
                catch_up = bookmarks.CatchUp(self, self.catch_up, context)
                yield from self._emit(catch_up.pages(), context)
                self.advance.written(context)
                catch_up.done()
                self.catch_up = ()
            bookmarks.note_scope(self, context)
            yield from self._emit(self.walk(context, concurrent=True), context)
            self.advance.written(context)
            yield from self.deletes.records(context)
            self.log_summary(note=self.runtime.client.concurrency_note())
        finally:  # an aborted sync (--test, an error) must not leave requests queued
            for child in self.selected_children:
                child.cancel_prefetched()

    def _emit(self, pages: Iterator[Records], context: Context | None) -> Iterator[dict[str, Any]]:
        current = next(pages, [])
        self.prefetch_children(current, context)
        for upcoming in pages:
            # The next page's children start while this page is emitted: the pool never
            # drains between pages.
            self.prefetch_children(upcoming, context)
            yield from current
            current = upcoming
        yield from current

    def walk(self, context: Context | None, *, concurrent: bool) -> Iterator[Records]:
        """The pages of the list, in order; see ``paging.PageWalker``."""
        walk = Walk(
            fetch=partial(self.fetch_page, context),
            position=self.position,
            pager=self.pager,
            progress=self.progress,
            logger=self.logger,
            name=self.name,
            since=bookmarks.walk_start(self, context),
            after=bookmarks.resume_position(self, context),
            counts_total=self.parent_stream_type is None,
            max_pages=self.runtime.client.max_pages,
        )
        if concurrent:
            return PageWalker(walk, self.runtime.pool.submit, self.runtime.window).pages()
        return PageWalker(walk, run_now, 1).pages()

    def collect(self, context: Context | None) -> list[dict[str, Any]]:
        """All the records of a (small, child) list, fetched on the calling thread."""
        return [item for page in self.walk(context, concurrent=False) for item in page]

    def prefetch_key(self, context: Context) -> tuple[str, ...]:
        return tuple(str(value) for value in context.values())

    def prefetch(self, context: Context) -> None:
        """Start fetching this child's records for one parent, to be taken by get_records."""
        self._prefetched[self.prefetch_key(context)] = self.runtime.pool.submit(
            self.collect, context
        )

    @cached_property
    def selected_children(self) -> list[LexfulStream]:
        """The child streams to sync (read at sync time, after the catalog was applied)."""
        return [c for c in self.child_streams if c.selected and isinstance(c, LexfulStream)]

    def prefetch_children(self, page: list[dict[str, Any]], context: Context | None) -> None:
        if not self.selected_children:
            return
        for record in page:
            for child_context in self.generate_child_contexts(record, context):
                if child_context is not None:
                    for child in self.selected_children:
                        child.prefetch(child_context)

    def cancel_prefetched(self) -> None:
        for future in self._prefetched.values():
            future.cancel()
        self._prefetched.clear()

    def _child_records(self, context: Context | None) -> list[dict[str, Any]]:
        future = self._prefetched.pop(self.prefetch_key(context), None) if context else None
        records = wait_for(future, self.progress) if future is not None else self.collect(context)
        self.progress.parent_done()
        return records
