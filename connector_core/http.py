"""The one place a request is sent, paced and retried, for every connector of every API.

- 429 waits ``Retry-After``; the profile's other transient statuses (5xx), timeouts and
  dropped connections back off exponentially with jitter; after ``max_tries`` a one-line
  error names the call (never its query string, which may carry a presigned signature, nor
  a credential);
- a 401 (or another of the profile's ``refresh_statuses``) asks a ``RefreshableAuth`` to drop
  its token, and retries once; one pooled session, safe to share between threads;
- a client-side budget (``max_requests_per_second``) paces every thread, so that concurrency
  does not turn into a storm of 429s;
- hardened against its peers (``connector_core.safe_http``): nothing from the environment, no
  credential past the API's origin, every URL sent without auth guarded, a total deadline and
  a size cap per request, error bodies told through ``connector_core.scrub``.

What differs between APIs (its auth, the error body, which statuses are transient, the
exceptions a caller catches) is an ``ApiProfile`` and an auth object, given by the API's own
package (``lexful_api``, ``lightfield_api``).
"""

from __future__ import annotations

import logging
import random
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard, runtime_checkable
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from connector_core import scrub
from connector_core.adaptive import AdaptiveLimit, retry_after_seconds
from connector_core.rate_budget import RateBudget
from connector_core.safe_http import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_REDIRECTS,
    BodyTooLarge,
    UrlGuard,
    UrlRefused,
    bearer_of,
    body_of,
    capped_chunks,
    hardened_session,
    headers_within,
    origin,
    read_into,
)
from connector_core.settings import check_api_url

__all__ = ["BodyTooLarge", "UrlGuard", "UrlRefused", "hardened_session", "origin"]


_NETWORK_ERRORS: tuple[type[Exception], ...] = (requests.ConnectionError, requests.Timeout)
_NETWORK_ERRORS += (requests.exceptions.ChunkedEncodingError, ConnectionResetError)
Body = bytes | Callable[[], Any] | None
_FOLLOWED = frozenset({"GET", "HEAD"})
scrub.install()


@runtime_checkable
class RefreshableAuth(Protocol):
    """An auth whose token can go stale: a 401 drops it (once) and the request is retried."""

    def invalidate(self, token_used: str | None = None) -> None: ...


@dataclass(frozen=True)
class ApiProfile:
    """What one API's client differs in, besides its auth."""

    #: Statuses worth a retry (429 among them: it waits ``Retry-After`` when there is one).
    transient_statuses: frozenset[int]
    #: The message of an error answer: (body, parsed JSON or text; the reason phrase) -> text.
    error_message: Callable[[Any, str], str]
    #: The exception of an error answer that retrying will not fix: (status, message,
    #: method, path) -> the API's own error class, which its callers catch.
    http_error: Callable[[int, str, str, str], Exception]
    #: The exception of a network failure after the last try: (message) -> exception.
    connection_error: Callable[[str], Exception]
    #: Where retries are logged (the API package's logger, which tests and users filter on).
    logger: logging.Logger
    #: Characters a query string keeps as they are (filter brackets, timestamps' colons).
    query_safe: str = "[],:"
    #: Statuses after which a refreshable auth drops its token and the call is retried once
    #: (an API that answers an expired token with 403 adds 403).
    refresh_statuses: frozenset[int] = frozenset({401})


class HttpClient:
    """A pooled, authenticated, retrying, paced HTTP client for one API account."""

    def __init__(
        self,
        *,
        api_url: str,
        profile: ApiProfile,
        auth: requests.auth.AuthBase | None = None,
        max_requests_per_second: float | None = None,
        rate_burst: float | None = None,
        rate_start: float | None = None,
        max_tries: int = 6,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        timeout_s: float = 120.0,
        pool_size: int = 32,
        user_agent: str | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        url_guard: UrlGuard | None = None,
        proxies: Mapping[str, str] | None = None,
        adaptive_concurrency: int | None = None,
    ) -> None:
        """``adaptive_concurrency`` (the most requests in flight, ``max_concurrency: auto``)
        gates every try with an ``AdaptiveLimit``; None leaves it to the caller's threads.
        ``url_guard`` checks every URL sent without auth (presigned ones, redirects away
        from the API); without one, only the API's own origin is reached. ``max_pages`` is
        for the list walkers: the most pages of one list."""
        check_api_url(api_url)
        self.api_url = api_url.rstrip("/")
        self.max_response_bytes = max_response_bytes
        self.max_pages = max_pages
        self.url_guard = url_guard
        self._deadlines: weakref.WeakKeyDictionary[requests.Response, float] = (
            weakref.WeakKeyDictionary()
        )
        self.profile = profile
        self.auth = auth
        self.max_tries = max(1, max_tries)
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.timeout_s = timeout_s
        self.timeout = (min(10.0, timeout_s), timeout_s)
        # rate_burst: requests that may go at once before pacing starts (default: a second's
        # worth); 1 paces strictly, for servers that count per calendar second. rate_start:
        # the budget's tokens at first, when less than rate_burst (RateBudget).
        self.budget = RateBudget(max_requests_per_second, rate_burst, rate_start)
        self.concurrency = (
            AdaptiveLimit(maximum=adaptive_concurrency, logger=profile.logger)
            if adaptive_concurrency
            else None
        )
        self.session = hardened_session(pool_size, proxies)
        self.session.headers.update(headers or {})
        self.session.headers["User-Agent"] = user_agent or "connector-core"
        self.requests_sent = 0
        #: The level of the line each retry logs. A tap that sums its retries up per stream
        #: (``tap.runtime.Progress``) sets DEBUG, so an outage is not a line per request.
        self.retry_log_level = logging.WARNING

    # -- the calls -----------------------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._json(self.request("GET", path, params=params), "GET", path)

    def send_json(self, method: str, path: str, body: Any) -> Any:
        response = self.request(method, path, json=body)
        return self._json(response, method, path) if response.content else None

    def _json(self, response: requests.Response, method: str, path: str) -> Any:
        # Nested past the parser's depth, an integer of thousands of digits: one line.
        try:
            return response.json()
        except (ValueError, RecursionError) as exc:
            shown = scrub.clean(urlsplit(path).path, 200)
            msg = f"{method} {shown}: the answer is not JSON we read ({scrub.clean(exc, 200)})"
            raise self.profile.connection_error(msg) from None

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Body = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        stream: bool = False,
        raise_for_status: bool = True,
        allow_redirects: bool = True,
        on_retry: Callable[[], None] | None = None,
        guard: UrlGuard | None = None,
        read: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        """Send one call, retrying what is transient; raise a one-line error for the rest.

        ``path_or_url`` is an API path (``/v1/...``) or a full URL (a presigned one, sent with
        ``authenticated=False``). ``data`` may be a callable that returns a fresh body, so
        that a streamed upload can be retried. ``allow_redirects=False`` returns a redirect
        as it is, for a caller that checks where it leads before following it. ``on_retry``
        is called before each retry (a caller's own count). ``guard`` replaces the client's
        ``url_guard`` for this call (a target checks a record's download_url by its own rules).

        Unless ``stream``, the body is read here, within the deadline and the size cap; a
        streamed body is read with ``iter_body``: by ``read`` (a download, ``connector_core.
        download``), called with each 2xx answer inside the retries, so that a body that breaks
        off is sent for again and read from its start (``read`` starts its output afresh).
        """
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        shown = scrub.clean(urlsplit(url).path, 200)  # never the query: a presigned signature
        if authenticated and origin(url) != origin(self.api_url):
            msg = f"{method} {shown}: refused: credentials go only to the API's own origin"
            raise self.profile.connection_error(msg)
        query = urlencode(params, safe=self.profile.query_safe) if params else None
        chosen = guard or self.url_guard
        send = _Send(
            *(method, url, query, json, data, headers, authenticated, stream, allow_redirects),
            *(chosen, read),
        )
        may_refresh = True  # a token refused right after its renewal is a real refusal;
        attempt = 0  # one renewed before a retry's wait may have expired during it
        while True:
            attempt += 1
            self.budget.acquire()
            response = self._try(send, attempt, shown)
            if response is None:  # a network error, waited for
                may_refresh = True
                if on_retry is not None:
                    on_retry()
                continue
            status = response.status_code
            auth = self.auth
            refresh = status in self.profile.refresh_statuses
            if refresh and authenticated and may_refresh and _refreshable(auth):
                may_refresh = False
                auth.invalidate(bearer_of(response))
                response.close()
                continue
            if status in self.profile.transient_statuses and attempt < self.max_tries:
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if status == 429 and retry_after:
                    self.budget.hold(retry_after)
                self._wait(attempt, retry_after, method, shown, str(status))
                response.close()
                may_refresh = True
                if on_retry is not None:
                    on_retry()
                continue
            if status >= 400 and raise_for_status:
                raise self._error(response, attempt, method, shown)
            return response

    def close(self) -> None:
        self.session.close()

    def concurrency_note(self) -> str:
        """Where ``max_concurrency: auto`` settled (for a summary line); "" when fixed."""
        return self.concurrency.describe() if self.concurrency is not None else ""

    # -- the parts -----------------------------------------------------------------------

    def _try(self, send: _Send, attempt: int, shown: str) -> requests.Response | None:
        """One send; None after a network error that is worth another try (waited for)."""
        try:
            response = self._gated_send(send, shown)
            if send.read is not None and response.status_code < 300:
                with response:  # a body that breaks off is a network error: tried again
                    send.read(response)
            return response
        except UrlRefused as exc:
            raise self.profile.connection_error(f"{send.method} {shown}: {exc}") from None
        except _NETWORK_ERRORS as exc:
            if attempt >= self.max_tries:
                message = f"{send.method} {shown} failed after {attempt} tries: "
                raise self.profile.connection_error(message + type(exc).__name__) from None
            self._wait(attempt, None, send.method, shown, type(exc).__name__)
            return None
        except requests.RequestException as exc:
            # Not retried (a bad URL, too many redirects...); its text quotes the whole URL,
            # so only its type is told.
            message = f"{send.method} {shown} failed: {type(exc).__name__}"
            raise self.profile.connection_error(message) from None

    def _error(
        self, response: requests.Response, attempt: int, method: str, shown: str
    ) -> Exception:
        status = response.status_code
        # The body is the peer's text: it may echo the request (a secret) or forge log lines.
        message = scrub.peer_text(
            self.profile.error_message(body_of(response), response.reason or "")
        )
        if status in self.profile.transient_statuses:
            message = f"{message} (gave up after {attempt} tries)"
        return self.profile.http_error(status, message, method, shown)

    def _gated_send(self, send: _Send, shown: str) -> requests.Response:
        """``_send`` within a place of the adaptive limit, which is told how the try went."""
        limit = self.concurrency
        if limit is None:
            return self._send(send, shown)
        with limit.slot():
            started = time.monotonic()
            try:
                response = self._send(send, shown)
            except _NETWORK_ERRORS:
                limit.failed()
                raise
            limit.observe(time.monotonic() - started, response.status_code, response.headers)
            return response

    def _send(self, send: _Send, shown: str) -> requests.Response:
        """One try: the request and its redirects, hop by hop, within one deadline."""
        self.requests_sent += 1
        deadline = time.monotonic() + self.timeout_s
        body = send.data() if callable(send.data) else send.data
        url = f"{send.url}?{send.query}" if send.query else send.url
        authenticated = send.authenticated
        for _hop in range(MAX_REDIRECTS + 1):
            if not authenticated:
                self._check(url, send.guard)
            with headers_within(deadline):  # a byte at a time cannot hold them past it
                response = self.session.request(
                    send.method,
                    url,
                    json=send.json,
                    data=body,
                    headers=dict(send.headers or {}),
                    auth=self.auth if authenticated else None,
                    timeout=(self.timeout[0], max(0.001, deadline - time.monotonic())),
                    stream=True,
                    allow_redirects=False,
                )
            if not (send.allow_redirects and response.is_redirect):
                break
            response.close()
            if send.method not in _FOLLOWED:
                # A 307 would resend the body (a key secret) wherever it points.
                msg = f"redirected (HTTP {response.status_code}); not followed for {send.method}"
                raise UrlRefused(msg)
            url = urljoin(url, response.headers["location"])
            authenticated = authenticated and origin(url) == origin(self.api_url)
        else:
            raise UrlRefused(f"more than {MAX_REDIRECTS} redirects")
        self._deadlines[response] = deadline
        if not send.stream or response.status_code >= 400:  # an error body is read capped too
            self._read(response, send.method, shown)
        return response

    def _check(self, url: str, guard: UrlGuard | None) -> None:
        if guard is not None:
            guard(url)
        elif origin(url) != origin(self.api_url):
            msg = "refused: not the API's origin, and no rule allows another"
            raise UrlRefused(msg)

    def _read(self, response: requests.Response, method: str, shown: str) -> None:
        """The whole body into ``response.content``, within the deadline and the cap."""
        try:
            read_into(response, self.iter_body(response, self.max_response_bytes))
        except BodyTooLarge:
            cap = self.max_response_bytes
            msg = f"{method} {shown}: the answer is over {cap} bytes (max_response_bytes)"
            raise self.profile.connection_error(msg) from None

    def iter_body(self, response: requests.Response, limit: int) -> Iterator[bytes]:
        """The (decompressed) body in chunks; ``BodyTooLarge`` once more than ``limit`` bytes
        came, ``requests.Timeout`` once the request's deadline has passed. Closes it then."""
        deadline = self._deadlines.get(response, time.monotonic() + self.timeout_s)
        return capped_chunks(response, limit, deadline, self.timeout_s)

    def _wait(
        self, attempt: int, retry_after: float | None, method: str, shown: str, why: str
    ) -> None:
        if retry_after is None:
            ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
            delay = random.uniform(ceiling / 2, ceiling)  # jitter: threads do not retry in step
        else:
            delay = min(retry_after, self.backoff_max_s * 4)
        self.profile.logger.log(
            self.retry_log_level,
            "%s %s: %s; retry %d of %d in %.2fs",
            *(method, shown, why, attempt, self.max_tries - 1, delay),
        )
        time.sleep(delay)


@dataclass(frozen=True)
class _Send:
    """What one request sends, the same on every try."""

    method: str
    url: str
    query: str | None
    json: Any
    data: Body
    headers: Mapping[str, str] | None
    authenticated: bool
    stream: bool
    allow_redirects: bool
    guard: UrlGuard | None
    read: Callable[[requests.Response], None] | None


def _refreshable(auth: object) -> TypeGuard[RefreshableAuth]:
    return isinstance(auth, RefreshableAuth)
