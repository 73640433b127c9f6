"""``children: all_parents``: the links and files of every asset, read again on every run."""

from __future__ import annotations

from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib import ActivateVersionMessage
from typing_extensions import override

from connector_core.tap import (
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    Progress,
    Runtime,
    Walk,
    run_now,
    wait_for,
)
from lexful_api import LexfulError, contract
from tap_lexful.client import LexfulStream, LexfulStreamError
from tap_lexful.streams import FilesStream, RelatedAssetsStream

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams import Stream


class EveryParent(LexfulStream):
    """``children: all_parents``: a child stream read for every asset on every run.

    It runs as a stream of its own (not once per parent the run emits): it walks the ids of
    every live asset of the synced types (``fields=id``, the largest pages; whichever asset
    streams are selected), reads each one's children concurrently, and emits the whole set
    under one ACTIVATE_VERSION, so that a loader drops the links and files that are gone.

    Only when the pass is the whole table, though: with ``organization_ids``, ``asset_types``
    leaving types out, or a filter on the stream, it reads part of what the loader's table
    holds, and a version would have the loader delete the rest. Then the records go without
    one (``not_full_set``), and the log says why.
    """

    parent_stream_type: type[Stream] | None = None

    def __init__(
        self,
        tap: Tap,
        runtime: Runtime,
        parent_types: Callable[[], list[str]],
        left_out_types: Callable[[], list[str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(tap, runtime, **kwargs)
        self.parent_types = parent_types
        self.left_out_types = left_out_types
        self._run = tap  # its start time is the version; its writer sends the final message

    @property
    @override
    def emit_activate_version_messages(self) -> bool:
        # The full set, every run: what did not come again is gone.
        return self.not_full_set is None

    @cached_property
    def not_full_set(self) -> str | None:
        """Why this pass is not the full set of the stream's table; None when it is."""
        organizations = self.config.get("organization_ids")
        if organizations:
            return f"organization_ids names {len(organizations)} organization(s)"
        left_out = self.left_out_types()
        if left_out:
            return f"asset_types leaves out {len(left_out)} asset type(s)"
        if (self.config.get("filters") or {}).get(self.name):
            return f"filters.{self.name} is set"
        return None

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if self.not_full_set and self.selected:
            self.logger.warning(
                "Stream '%s': not the full set (%s): sent without ACTIVATE_VERSION, so a "
                "loader deletes none of its rows",
                self.name,
                self.not_full_set,
            )
        self.progress.start()
        for asset_type in self.parent_types():
            for ids in self._parent_ids(asset_type):
                yield from self._children_of(asset_type, ids)
        self._activate_version_again()
        self.log_summary(child=True)

    def _activate_version_again(self) -> None:
        """The SDK sends ACTIVATE_VERSION before the records only; sent again after the last
        one, it says the set is whole. A pass cut short never sends it, so a loader that waits
        for it (target-lexful) deletes nothing on the strength of a partial set."""
        if self.selected and self.emit_activate_version_messages:
            # The SDK's version: the run's start, in seconds (Stream.sync).
            version = self._run.initialized_at // 1000
            self._run.write_message(ActivateVersionMessage(stream=self.name, version=version))

    def _children_of(self, asset_type: str, ids: list[str]) -> Iterator[dict[str, Any]]:
        contexts = [{"asset_type": asset_type, "asset_id": asset_id} for asset_id in ids]
        futures = [self.runtime.pool.submit(self._live_children, c) for c in contexts]
        try:
            for future in futures:
                yield from wait_for(future, self.progress)
                self.progress.parent_done()
        finally:  # an aborted sync must not leave requests queued
            for future in futures:
                future.cancel()

    def _live_children(self, context: Context) -> list[dict[str, Any]]:
        try:
            return self.collect(context)
        except LexfulStreamError as exc:
            if getattr(exc.cause, "status", None) == 404:
                return []  # the asset was deleted since its id was read: no children
            raise

    def _parent_ids(self, asset_type: str) -> Iterator[list[str]]:
        """The ids of the live assets of ``asset_type``, 1000 at a time.

        Walked like any list (``paging.PageWalker``): an asset created or deleted during the
        walk shifts no parent out of it, for a parent missed here would have its links and
        files deleted by a loader that honours the version.
        """
        walk = Walk(
            fetch=partial(self._parent_page, asset_type),
            position=lambda item: Position(
                contract.sortable_timestamp(item.get("created_at")), str(item["id"])
            ),
            pager=OverlapPager(contract.MAX_PAGE_SIZE),
            progress=Progress(self.logger, f"{self.name} parents"),  # ids: not the records
            logger=self.logger,
            name=self.name,
            counts_total=False,
        )
        for page in PageWalker(walk, run_now, 1).pages():
            yield [str(item["id"]) for item in page]

    def _parent_page(self, asset_type: str, token: PageToken) -> Page:
        params: dict[str, Any] = {
            "fields": "id,created_at",
            **contract.sort_params(),
            "limit": contract.MAX_PAGE_SIZE,
            "offset": token.offset,
        }
        if token.since:
            params["created_at[gte]"] = token.since
        organization_ids = self.config.get("organization_ids")
        if organization_ids:
            params["organization_id[in]"] = ",".join(organization_ids)
        self.progress.requested()
        try:
            body = self.runtime.client.request(
                "GET",
                contract.assets_path(asset_type),
                params=params,
                on_retry=self.progress.retried,
            ).json()
        except LexfulError as exc:
            raise LexfulStreamError(self.name, exc) from None
        return Page(contract.list_items(body), contract.list_total(body))


class EveryParentRelatedAssetsStream(EveryParent, RelatedAssetsStream):
    """``related_assets`` of every asset, on every run (``children: all_parents``)."""


class EveryParentFilesStream(EveryParent, FilesStream):
    """``files`` of every asset, on every run (``children: all_parents``)."""
