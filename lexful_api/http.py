"""Lexful's HTTP client: the core client (``connector_core.http``) with Lexful's profile.

The retries, backoff, pacing and pooled session are the core's. What is Lexful's is here:

- its auth: a token fetched with the key pair (``LexfulTokenAuth``), dropped and fetched
  again once on a 401;
- its error body (``contract.error_message``) and transient statuses, raised as
  ``LexfulHTTPError`` / ``LexfulConnectionError``;
- its list envelope (``{items, total}``) walked in an explicit ``(created_at, id)`` order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

import requests
from typing_extensions import override

from connector_core import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DISTRIBUTION,
    ApiProfile,
    HttpClient,
    PresignedUrls,
)
from lexful_api import contract
from lexful_api.adapt import Alternative, Dialect
from lexful_api.auth import LexfulTokenAuth
from lexful_api.errors import LexfulConnectionError, LexfulHTTPError

LOGGER = logging.getLogger("lexful_api")
PROFILE = ApiProfile(
    transient_statuses=contract.TRANSIENT_STATUSES,
    error_message=contract.error_message,
    http_error=LexfulHTTPError,
    connection_error=LexfulConnectionError,
    logger=LOGGER,
    refresh_statuses=contract.TOKEN_REFRESH_STATUSES,
)


class LexfulClient(HttpClient):
    """A pooled, authenticated, retrying HTTP client for one Lexful account."""

    auth: LexfulTokenAuth

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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        allowed_file_hosts: Sequence[str] = (),
        proxies: Mapping[str, str] | None = None,
        adaptive_concurrency: int | None = None,
    ) -> None:
        super().__init__(
            api_url=api_url,
            profile=PROFILE,
            max_requests_per_second=max_requests_per_second,
            rate_burst=rate_burst,
            max_tries=max_tries,
            backoff_base_s=backoff_base_s,
            backoff_max_s=backoff_max_s,
            timeout_s=timeout_s,
            pool_size=pool_size,
            max_response_bytes=max_response_bytes,
            max_pages=max_pages,
            adaptive_concurrency=adaptive_concurrency,
            url_guard=PresignedUrls.build(api_url.rstrip("/"), allowed_file_hosts).check,
            proxies=proxies,
            user_agent=user_agent or DISTRIBUTION,
        )
        # The token request goes through this same client (retries, pacing), unauthenticated.
        self.auth = LexfulTokenAuth(
            api_url=self.api_url,
            account_id=account_id,
            key_id=key_id,
            key_secret=key_secret,
            refresh_margin=timedelta(seconds=token_refresh_margin_s),
            post=lambda url, **kw: self.request("POST", url, authenticated=False, **kw),
        )
        #: What this client learned of the API where it differs from the contract.
        self.dialect = Dialect()

    @override
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """The core's request, through what the client learned of the API (``adapt``): a
        call refused in a way a known alternative explains is sent that way, and the client
        remembers it for every later call."""
        base = self.api_url + "/v1/"
        if not path_or_url.startswith(("/v1/", base)):
            return super().request(method, path_or_url, params=params, **kwargs)
        prefix = self.api_url if path_or_url.startswith(base) else ""
        path = self.dialect.path(path_or_url[len(prefix) :])
        params = self.dialect.params(params)
        try:
            return super().request(method, prefix + path, params=params, **kwargs)
        except LexfulHTTPError as refused:
            found = self._other_way(method, prefix, path, params, refused.status, 2, kwargs)
            if found is None:
                raise
            answer, taken = found
            for other in taken:
                self.dialect.learn(other)  # Unsupported: no fallback for this walk
            learned = "; ".join(self.dialect.learned())
            LOGGER.warning("The API differs from the contract: %s (adapted)", learned)
            return answer

    def _other_way(
        self,
        method: str,
        prefix: str,
        path: str,
        params: Mapping[str, Any] | None,
        status: int,
        depth: int,
        kwargs: dict[str, Any],
    ) -> tuple[requests.Response, list[Alternative]] | None:
        """The answer to a refused call sent another way, and the alternatives that made it;
        None when no way is taken. Each alternative is tried first as it is; only when every
        one is refused is each tried with its own alternatives, ``depth`` deep (the older
        paths and a page cap together): a fallback is never learned because another one,
        tried under it, was what the API wanted."""
        refused: list[tuple[Alternative, int]] = []
        for other in self.dialect.alternatives(method, path, params, status):
            try:
                answer = super().request(method, prefix + other.path, params=other.params, **kwargs)
            except LexfulHTTPError as again:
                refused.append((other, again.status))
                continue
            return answer, [other]
        if depth <= 1:
            return None
        for other, again_status in refused:
            deeper = self._other_way(
                method, prefix, other.path, other.params, again_status, depth - 1, kwargs
            )
            if deeper is not None:
                return deeper[0], [other, *deeper[1]]
        return None

    def iter_list(
        self, path: str, params: Mapping[str, Any] | None = None, page_size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every record of a list endpoint, one page at a time, in (created_at, id) order."""
        offset = 0
        for _page in range(self.max_pages):
            query = {**contract.sort_params(), **(params or {}), "limit": page_size}
            body = self.get_json(path, query | {"offset": offset})
            items = contract.list_items(body)
            yield from items
            # A server may serve fewer than asked: go on from what came, until total.
            offset += len(items)
            if _list_done(items, offset, contract.list_total(body), page_size):
                return
        msg = f"GET {path}: more than {self.max_pages} pages (max_pages); the list never ends"
        raise LexfulConnectionError(msg)


def _list_done(items: list[Any], offset: int, total: int | None, page_size: int) -> bool:
    """The end of a list walk: no items, ``total`` reached, or (no total) a short page."""
    if not items:
        return True
    return offset >= total if total is not None else len(items) < page_size
