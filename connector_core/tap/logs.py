"""What a stream logs: a start line and a summary; a child stream's per-parent lines quieted.

A child stream (Lexful's related_assets and files, Lightfield's list_members) syncs once per
parent: the SDK's start line and METRIC lines for each would be hundreds of thousands of lines
on a large account. They are logged at DEBUG (or with ``log_child_syncs``); the stream's
summary line says what they would have.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from singer_sdk import metrics
from singer_sdk.streams import RESTStream
from typing_extensions import override

from connector_core.tap.paging import PageToken
from connector_core.tap.runtime import Progress

M = TypeVar("M", bound=metrics.Meter)
# The per-parent METRIC lines of child streams: a logger of their own that drops INFO.
_PER_PARENT_METRICS = logging.getLogger(f"{metrics.METRICS_LOGGER_NAME}.per_parent")
_PER_PARENT_METRICS.setLevel(logging.WARNING)


class LoggedStream(RESTStream[PageToken]):
    """The SDK's logging hooks of a stream, with a child stream's per-parent lines quieted."""

    progress: Progress

    @override
    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        # The SDK calls this once per stream, when every stream has run. A child stream runs
        # once per parent, for every asset stream: its summary is due then.
        if self.parent_stream_type is not None and self.selected:
            self.log_summary(child=True)

    #: RECORD messages the run wrote per stream name as sent (after stream maps), shared by
    #: the run's streams; None when the run's writer does not count them.
    sent_counts: Mapping[str, int] | None = None

    def records_sent(self) -> int | None:
        """The RECORD messages this stream wrote, under each name its stream maps give it
        (a ``__filter__`` drops some, ``__NULL__`` all); None when they are not counted."""
        if self.sent_counts is None:
            return None
        if not self.selected:
            return 0  # read only for its children's sake
        aliases = {stream_map.stream_alias for stream_map in self.stream_maps}
        return sum(self.sent_counts.get(alias, 0) for alias in aliases)

    def log_summary(self, *, child: bool = False, note: str = "") -> None:
        """The stream's summary line: what it sent (and read, when that differs); ``note``:
        where auto concurrency settled."""
        self.progress.summary(
            child=child, sent=self.records_sent(), walked_for_children=not self.selected, note=note
        )

    @property
    def quiet(self) -> bool:
        """A child stream syncs once per parent: its per-parent lines only at DEBUG, or with
        ``log_child_syncs``; the stream's summary says what they would have."""
        return (
            self.parent_stream_type is not None
            and not self.config.get("log_child_syncs")
            and not self.logger.isEnabledFor(logging.DEBUG)
        )

    @override
    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        if self.quiet and level == logging.INFO:
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    @override
    def get_record_counter(
        self, *, endpoint: str | None = None, log_interval: float = metrics.DEFAULT_LOG_INTERVAL
    ) -> metrics.Counter:
        return self._quieted(
            super().get_record_counter(endpoint=endpoint, log_interval=log_interval)
        )

    @override
    def get_sync_timer(self) -> metrics.Timer:
        return self._quieted(super().get_sync_timer())

    def _quieted(self, meter: M) -> M:
        if self.quiet:
            meter.logger = _PER_PARENT_METRICS  # dropped at INFO
        return meter
