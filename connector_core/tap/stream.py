"""The base stream both taps build on: ``LoggedStream`` (what a stream logs) and, on it,
``PagedStream`` (a page fetched through the shared client, parsed fast).

A profile's stream subclasses ``PagedStream``, names its API's error (``api_error``) and its
stream error (``stream_error``), and says how a page's body becomes a ``Page`` (``page_of``).

What a stream logs: a start line and a summary; a child stream's per-parent lines quieted. A
child stream (Lexful's related_assets and files, Lightfield's list_members) syncs once per
parent: the SDK's start line and METRIC lines for each would be hundreds of thousands of lines
on a large account. They are logged at DEBUG (or with ``log_child_syncs``); the stream's
summary line says what they would have.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec
from singer_sdk import metrics
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from connector_core.scrub import clean
from connector_core.tap.paging import Page, PageToken
from connector_core.tap.runtime import Progress

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

    from connector_core.tap.runtime import Runtime


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


class StreamError(FatalAPIError):
    """A request of a stream failed for good: one line naming the stream and the request."""

    def __init__(self, stream: str, cause: Exception) -> None:
        self.cause = cause
        super().__init__(f"Stream '{stream}': {cause}")


def decode_json(response: requests.Response) -> Any:
    """The JSON body; msgspec parses a page several times faster than the json module, and
    a body too deeply nested is refused (``DecodeError``) rather than recursed into."""
    return msgspec.json.decode(response.content)


def checked_page(stream: str, page: Page, page_size: int) -> Page:
    """``page``, unless it holds more records than were asked for: a peer's answer that is not
    a page (millions of ``{}``) stops the stream with one line instead of being read."""
    if len(page.items) > page_size:
        msg = (
            f"Stream '{stream}': the API answered a page of {len(page.items)} records, more "
            f"than the {page_size} asked (page_size); stopped"
        )
        raise FatalAPIError(msg)
    return page


class PagedStream(LoggedStream):
    """A list endpoint whose pages are requested by ``fetch_page`` through the runtime's client.

    The SDK's request loop and backoff are not used (the client retries and paces); each
    page's request is still built by the SDK's public ``get_http_request`` hook.
    """

    runtime: Runtime
    #: The API client's error: a request that fails with it ends the stream.
    api_error: ClassVar[type[Exception]] = Exception
    #: What it ends the stream with.
    stream_error: ClassVar[type[StreamError]] = StreamError

    def page_of(self, body: Any) -> Page:
        """A decoded list body as a ``Page`` (its items and total)."""
        raise NotImplementedError

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        return self.parse_page(response).items

    def parse_page(self, response: requests.Response) -> Page:
        try:
            body = decode_json(response)
        except (msgspec.DecodeError, RecursionError) as exc:  # nested past the limit too
            msg = f"Stream '{self.name}': the API's answer is not JSON we read ({clean(exc, 200)})"
            raise FatalAPIError(msg) from None
        pager = getattr(self, "pager", None)
        page = self.page_of(body)
        return page if pager is None else checked_page(self.name, page, pager.page_size)

    def fetch_page(self, context: Context | None, token: PageToken) -> Page:
        """One page, through the shared client; errors name the stream and the request."""
        request = self.get_http_request(page=PageContext(context, token))
        self.progress.requested()
        try:
            response = self.runtime.client.request(
                request.method,
                request.url,
                params=request.params,
                headers=request.headers,
                on_retry=self.progress.retried,
            )
        except self.api_error as exc:
            raise self.stream_error(self.name, exc) from None
        return self.parse_page(response)
