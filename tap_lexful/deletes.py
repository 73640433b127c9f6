"""The deletes pass: what was deleted since the last run, emitted with ``_sdc_deleted_at``.

A run that follows ``created_at`` never sees a record deleted after it was emitted (nor does
one on ``updated_at``, unless a delete moves ``updated_at``, which is not documented). So after
its main walk each incremental stream (organizations, users, every asset type) also reads
``include_deleted=true&deleted_at[gte]=<its own bookmark>`` in ``(deleted_at, id)`` order [A:
``deleted_at`` filters and sorts like any field] and emits those records; ``_sdc_deleted_at``
tells SQL loaders to soft-delete the row and target-lexful to delete its copy.

Its bookmark is exact, like ``last_emitted``: the ``(deleted_at, id)`` of the last deleted
record emitted, under ``LAST_DELETED`` in the stream's state, so a run emits each delete once.
A stream's first run emits no deletes: it notes where deletes stand (the newest one, read
before the main walk so that nothing deleted during it is missed) and the next run starts there.
The newest delete of the whole list, whatever the stream's filters, tree or organizations: a
narrower one (none at all under a tree that matches no deleted record) would let a later run
under wider settings emit deletes from before the first run as new.

The records are emitted through the SDK's own loop, after the main walk: the stream's
replication bookmark is saved before and put back after, so the older ``created_at`` of a
deleted record never moves it (``LexfulStream.check_sorted`` is off while the pass is on).
On by default; ``emit_deletes: false`` turns it off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from connector_core.tap import Position
from lexful_api import LexfulClient, LexfulError, contract
from tap_lexful import filter_trees

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_lexful.client import LexfulStream

LAST_DELETED = "last_deleted"
SETTING = "emit_deletes"
#: Where a stream's deletes start when the account has none yet: every later one is new.
NONE_YET = {"deleted_at": "1970-01-01T00:00:00.000Z", "id": ""}
_BOOKMARK_KEYS = ("replication_key", "replication_key_value")


def enabled(config: Mapping[str, Any], *, incremental: bool, selects_fields: bool) -> bool:
    """Whether a stream of this kind runs the pass: incremental top-level lists, by default."""
    return incremental and selects_fields and bool(config.get(SETTING, True))


class DeletesPass:
    """One stream's pass: ``start`` before the main walk, ``records`` after it."""

    def __init__(self, stream: LexfulStream) -> None:
        self.stream = stream
        self.active = False  # True while its records go through post_process

    @property
    def on(self) -> bool:
        s = self.stream
        return s.parent_stream_type is None and enabled(
            s.config, incremental=s.incremental, selects_fields=s.selects_fields
        )

    def start(self, context: Context | None) -> None:
        """Before the main walk: on a stream's first run, note where deletes stand."""
        if not self.on:
            return
        state = self.stream.get_context_state(context)
        if not isinstance(state.get(LAST_DELETED), dict):
            state[LAST_DELETED] = self._newest(context) or dict(NONE_YET)

    def records(self, context: Context | None) -> Iterator[dict[str, Any]]:
        """What was deleted since the bookmark, in (deleted_at, id) order, each once."""
        if not self.on:
            return
        state = self.stream.get_context_state(context)
        saved = {key: state.get(key) for key in _BOOKMARK_KEYS}  # the main walk's bookmark
        mark = state[LAST_DELETED]
        after = Position(contract.sortable_timestamp(mark.get("deleted_at")), str(mark.get("id")))
        since = contract.reformat_timestamp(mark["deleted_at"])
        params = {**self._params(), "deleted_at[gte]": since}
        count = 0
        self.active = True
        try:
            for item in self._list(context, params):
                place = Position(
                    contract.sortable_timestamp(item.get("deleted_at")), str(item.get("id"))
                )
                if not item.get("deleted_at") or place <= after:
                    continue
                count += 1
                self.stream.progress.advance(1)
                yield item
        finally:
            self.active = False
            # The emitted deletes never move the replication bookmark: put it back.
            for key, value in saved.items():
                if value is None:
                    state.pop(key, None)
                else:
                    state[key] = value
        if count:
            self.stream.logger.info(
                "Stream '%s': %d records deleted since the last run", self.stream.name, count
            )

    def emitted(self, row: dict[str, Any], context: Context | None) -> None:
        """``row`` (a deleted record) was emitted: the bookmark moves to it."""
        self.stream.get_context_state(context)[LAST_DELETED] = {
            "deleted_at": row.get("deleted_at"),
            "id": row.get(self.stream.id_field),
        }

    def _newest(self, context: Context | None) -> dict[str, Any] | None:
        """The newest delete of the whole list (not only the stream's filters' or tree's)."""
        params = {
            "include_deleted": "true",
            "fields": f"{self.stream.id_field},deleted_at",
            "deleted_at[ne]": "null",
            "sort": f"deleted_at,{self.stream.id_field}",
            "order": "DESC,DESC",
            "limit": 1,
        }
        items = contract.list_items(self._get(context, params))
        if not items or not items[0].get("deleted_at"):
            return None
        return {"deleted_at": items[0]["deleted_at"], "id": items[0].get(self.stream.id_field)}

    def _params(self) -> dict[str, Any]:
        """The stream's own filters, organizations and fields, and the deleted records."""
        s = self.stream
        params: dict[str, Any] = {
            key: contract.filter_value(value)
            for key, value in s.config.get("filters", {}).get(s.name, {}).items()
        }
        params |= filter_trees.params(s.config, s.name)
        organization_ids = s.config.get("organization_ids")
        if organization_ids and s.organization_field:
            params[f"{s.organization_field}[in]"] = ",".join(organization_ids)
        fields = s.api_fields()
        if fields:
            params["fields"] = ",".join(sorted({*fields, "deleted_at"}))
        params["include_deleted"] = "true"
        return params

    def _list(self, context: Context | None, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        s = self.stream
        query = {**params, **contract.sort_params("deleted_at", s.id_field)}
        client = s.runtime.client
        assert isinstance(client, LexfulClient)  # the tap's runtime holds a Lexful client
        try:
            yield from client.iter_list(s.get_url(context), query, s.pager.page_size)
        except LexfulError as exc:
            raise s.stream_error(s.name, exc) from None

    def _get(self, context: Context | None, params: dict[str, Any]) -> Any:
        s = self.stream
        try:
            return s.runtime.client.get_json(s.get_url(context), params)
        except LexfulError as exc:
            raise s.stream_error(s.name, exc) from None
