"""The one place a Lexful request is sent, paced and retried, for the tap and the target alike.

- a 401 drops the token and retries once with a new one (an expired token never fails a run);
- 429 waits ``Retry-After``; 5xx, timeouts and dropped connections back off exponentially
  with jitter; after ``max_tries`` a one-line error names the call (never its query string,
  which may carry a presigned signature, nor the token);
- a client-side budget (``max_requests_per_second``) paces every thread, so that concurrency
  does not turn into a storm of 429s;
- one pooled session, safe to share between threads.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter

from lexful_api import contract
from lexful_api.auth import LexfulTokenAuth
from lexful_api.errors import LexfulConnectionError, LexfulHTTPError

LOGGER = logging.getLogger("lexful_api")


def _drop_queries(record: logging.LogRecord) -> bool:
    """urllib3 logs each request line at DEBUG with its query: a presigned signature."""
    if isinstance(record.args, tuple):
        record.args = tuple(
            arg.split("?", 1)[0] + "?..." if isinstance(arg, str) and "?" in arg else arg
            for arg in record.args
        )
    return True


logging.getLogger("urllib3.connectionpool").addFilter(_drop_queries)
_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionResetError,
)
Body = bytes | Callable[[], Any] | None


class RateBudget:
    """A token bucket shared by all threads: at most ``rate`` requests a second on average."""

    def __init__(self, rate: float | None, burst: float | None = None) -> None:
        self._rate = rate
        self._capacity = burst or max(1.0, rate or 1.0)
        self._tokens = self._capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self._rate:
            return
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait:
            time.sleep(wait)


class LexfulClient:
    """A pooled, authenticated, retrying HTTP client for one Lexful account."""

    def __init__(
        self,
        *,
        api_url: str,
        account_id: str,
        key_id: str,
        key_secret: str,
        max_requests_per_second: float | None = None,
        rate_burst: float | None = None,
        max_tries: int = 6,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        timeout_s: float = 120.0,
        token_refresh_margin_s: float = 300.0,
        pool_size: int = 32,
        user_agent: str | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.max_tries = max(1, max_tries)
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.timeout = (min(10.0, timeout_s), timeout_s)
        # rate_burst: requests that may go at once before pacing starts (default: a second's
        # worth); 1 paces strictly, for servers that count per calendar second.
        self.budget = RateBudget(max_requests_per_second, rate_burst)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent or "lexful-singer"
        self.auth = LexfulTokenAuth(
            api_url=self.api_url,
            account_id=account_id,
            key_id=key_id,
            key_secret=key_secret,
            refresh_margin=timedelta(seconds=token_refresh_margin_s),
            post=lambda url, **kw: self.request("POST", url, authenticated=False, **kw),
        )
        self.requests_sent = 0

    # -- the calls -----------------------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def iter_list(
        self, path: str, params: Mapping[str, Any] | None = None, page_size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every record of a list endpoint, one page at a time, in (created_at, id) order."""
        offset = 0
        while True:
            query = {**contract.sort_params(), **(params or {}), "limit": page_size}
            body = self.get_json(path, query | {"offset": offset})
            items = contract.list_items(body)
            yield from items
            # A server may serve fewer than asked: go on from what came, until total.
            offset += len(items)
            if _list_done(items, offset, contract.list_total(body), page_size):
                return

    def send_json(self, method: str, path: str, body: Any) -> Any:
        response = self.request(method, path, json=body)
        return response.json() if response.content else None

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
    ) -> requests.Response:
        """Send one call, retrying what is transient; raise a one-line error for the rest.

        ``path_or_url`` is an API path (``/v1/...``) or a full URL (a presigned one, sent with
        ``authenticated=False``). ``data`` may be a callable that returns a fresh body, so
        that a streamed upload can be retried. ``allow_redirects=False`` returns a redirect
        as it is, for a caller that checks where it leads before following it. ``on_retry``
        is called before each retry (a caller's own count).
        """
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        shown = urlsplit(url).path  # never the query: it may hold a presigned signature
        query = urlencode(params, safe="[],:") if params else None
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            self.budget.acquire()
            try:
                response = self._send(
                    method, url, query, json, data, headers, authenticated, stream, allow_redirects
                )
            except _NETWORK_ERRORS as exc:
                if attempt >= self.max_tries:
                    raise LexfulConnectionError(
                        f"{method} {shown} failed after {attempt} tries: {type(exc).__name__}"
                    ) from None
                self._wait(attempt, None, method, shown, type(exc).__name__)
                if on_retry is not None:
                    on_retry()
                continue
            except requests.RequestException as exc:
                # Not retried (a bad URL, too many redirects...); its text quotes the whole
                # URL, so only its type is told.
                raise LexfulConnectionError(
                    f"{method} {shown} failed: {type(exc).__name__}"
                ) from None
            status = response.status_code
            if status == 401 and authenticated and not refreshed:
                refreshed = True  # once: a second 401 is a real refusal
                self.auth.invalidate(_bearer(response))
                response.close()
                continue
            if status in contract.TRANSIENT_STATUSES and attempt < self.max_tries:
                self._wait(attempt, _retry_after(response), method, shown, str(status))
                response.close()
                if on_retry is not None:
                    on_retry()
                continue
            if status >= 400 and raise_for_status:
                message = contract.error_message(_body(response), response.reason or "")
                if status in contract.TRANSIENT_STATUSES:
                    message = f"{message} (gave up after {attempt} tries)"
                raise LexfulHTTPError(status, message, method, shown)
            return response

    def close(self) -> None:
        self.session.close()

    # -- the parts -----------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        query: str | None,
        json: Any,
        data: Body,
        headers: Mapping[str, str] | None,
        authenticated: bool,
        stream: bool,
        allow_redirects: bool,
    ) -> requests.Response:
        self.requests_sent += 1
        body = data() if callable(data) else data
        return self.session.request(
            method,
            f"{url}?{query}" if query else url,
            json=json,
            data=body,
            headers=dict(headers or {}),
            auth=self.auth if authenticated else None,
            timeout=self.timeout,
            stream=stream,
            allow_redirects=allow_redirects,
        )

    def _wait(
        self, attempt: int, retry_after: float | None, method: str, shown: str, why: str
    ) -> None:
        if retry_after is None:
            ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
            delay = random.uniform(ceiling / 2, ceiling)  # jitter: threads do not retry in step
        else:
            delay = min(retry_after, self.backoff_max_s * 4)
        LOGGER.warning(
            "%s %s: %s; retry %d of %d in %.2fs",
            *(method, shown, why, attempt, self.max_tries - 1, delay),
        )
        time.sleep(delay)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _bearer(response: requests.Response) -> str | None:
    # types-requests says a response always has its request; requests.Response() starts None.
    request: requests.PreparedRequest | None = response.request
    header = request.headers.get("Authorization", "") if request is not None else ""
    return header.removeprefix("Bearer ") or None


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _list_done(items: list[Any], offset: int, total: int | None, page_size: int) -> bool:
    """The end of a list walk: no items, ``total`` reached, or (no total) a short page."""
    if not items:
        return True
    return offset >= total if total is not None else len(items) < page_size
