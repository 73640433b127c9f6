"""Lightfield's HTTP client: the core client (``connector_core.http``) with Lightfield's profile.

The retries, backoff, pacing and pooled session are the core's. What is Lightfield's is here:
its bearer key and version header (``LightfieldKeyAuth``), its error body
(``{"error": {type, message, code?, param?}}``) and transient statuses, raised as
``LightfieldHTTPError`` / ``LightfieldConnectionError``, and its list envelope
(``{data, object, totalCount}``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from connector_core import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DISTRIBUTION,
    ApiProfile,
    HttpClient,
    PresignedUrls,
)
from lightfield_api import adapt, contract
from lightfield_api.auth import LightfieldKeyAuth
from lightfield_api.errors import LightfieldConnectionError, LightfieldHTTPError

LOGGER = logging.getLogger("lightfield_api")
#: The default pace: under the documented 25 requests/s per category [D], a token bucket of
#: that capacity [D]: paced evenly a little under its refill, a client never empties it, even
#: when the network bunches its requests up.
DEFAULT_REQUESTS_PER_SECOND = 24.0
#: The most requests the pace lets go at once after a stall (its bucket's capacity).
CATCH_UP = 5


def error_message(body: Any, fallback: str = "") -> str:
    """``type: message (code, param)`` of an error body [D]; its text when it is not JSON."""
    error = adapt.error_object(body)  # with the "error" wrapper [D] or without
    if error is not None and error.get("message"):
        extra = [str(error[k]) for k in ("code", "param") if error.get(k)]
        text = f"{error.get('type', 'error')}: {error['message']}"
        return f"{text} ({', '.join(extra)})" if extra else text
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return fallback


def list_page(body: Any) -> tuple[list[dict[str, Any]], int | None]:
    """The records and ``totalCount`` of a list answer [D]."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        msg = "list answer has no 'data' array"
        raise ValueError(msg)
    total = body.get("totalCount")
    return data, total if isinstance(total, int) else None


PROFILE = ApiProfile(
    transient_statuses=contract.TRANSIENT_STATUSES,
    error_message=error_message,
    http_error=LightfieldHTTPError,
    connection_error=LightfieldConnectionError,
    logger=LOGGER,
)


class LightfieldClient(HttpClient):
    """A pooled, retrying, paced HTTP client for one Lightfield workspace (its API key)."""

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        max_requests_per_second: float | None = DEFAULT_REQUESTS_PER_SECOND,
        max_tries: int = 8,
        backoff_base_s: float = 0.5,
        timeout_s: float = 120.0,
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
            auth=LightfieldKeyAuth(api_key),
            max_requests_per_second=max_requests_per_second,
            # A token bucket of 25 [D] is not emptied by a client at 24/s with 5 in hand
            # unless the network bunches ~0.8 s of its requests: it starts paced (one token)
            # and catches up on a stall of its own (a slow answer, a busy CPU) by up to 5
            # requests, which a bucket of 1 lost.
            rate_burst=CATCH_UP,
            rate_start=1,
            max_tries=max_tries,
            backoff_base_s=backoff_base_s,
            timeout_s=timeout_s,
            pool_size=pool_size,
            max_response_bytes=max_response_bytes,
            max_pages=max_pages,
            adaptive_concurrency=adaptive_concurrency,
            url_guard=PresignedUrls.build(api_url.rstrip("/"), allowed_file_hosts).check,
            proxies=proxies,
            user_agent=user_agent or DISTRIBUTION,
        )
        self.session.hooks["response"].append(self._watch_rate_limit)

    def _watch_rate_limit(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        """Every answer of the API tells its bucket (``X-RateLimit-Limit`` [D]): one smaller
        than the pace kept slows the pace under it (``adapt.paced_rate``), with one line."""
        limit = adapt.advertised_limit(response.headers)
        pace = adapt.paced_rate(self.budget.rate, limit)
        if pace is None:
            return
        self.budget.slow_to(pace)
        LOGGER.warning(
            "Lightfield's rate limit is %s requests/s (X-RateLimit-Limit), under the pace set "
            "(max_requests_per_second): pacing at %s requests/s",
            limit,
            pace,
        )
