"""The paged stream both taps build on: a page fetched through the shared client, parsed fast.

A profile's stream subclasses ``PagedStream``, names its API's error (``api_error``) and its
stream error (``stream_error``), and says how a page's body becomes a ``Page`` (``page_of``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from connector_core.scrub import clean
from connector_core.tap.logs import LoggedStream
from connector_core.tap.paging import Page, PageToken

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

    from connector_core.tap.runtime import Runtime


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
