"""The Lexful token authenticator: one per process and account, shared by every thread."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import requests

from connector_core import scrub
from lexful_api import contract
from lexful_api.errors import LexfulAuthError, LexfulHTTPError

if TYPE_CHECKING:
    from collections.abc import Callable


class LexfulTokenAuth(requests.auth.AuthBase):
    """Adds ``Authorization`` and ``X-Account-ID`` to a request, fetching the token as needed.

    The token is asked for again ``refresh_margin`` before it expires (there is no refresh
    token [D]), and at once after a 401 (``invalidate``). A lock makes the threads of a
    concurrent sync share one token instead of each asking for its own.
    """

    def __init__(
        self,
        *,
        api_url: str,
        account_id: str,
        key_id: str,
        key_secret: str,
        post: Callable[..., requests.Response],
        refresh_margin: timedelta = timedelta(minutes=5),
    ) -> None:
        self._url = api_url.rstrip("/") + contract.TOKEN_PATH
        self._account_id = account_id
        self._body = {"id": key_id, "secret": key_secret}
        scrub.register(key_secret)
        self._post = post
        self._margin = refresh_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = datetime.min.replace(tzinfo=timezone.utc)
        self.tokens_fetched = 0

    def __repr__(self) -> str:  # never show the key or the token
        return f"LexfulTokenAuth(account_id={self._account_id!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        request.headers[contract.ACCOUNT_HEADER] = self._account_id
        return request

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._now() >= self._expires_at - self._effective_margin():
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token_used: str | None = None) -> None:
        """Forget the token after a 401, unless another thread has already replaced it."""
        with self._lock:
            if token_used is None or token_used == self._token:
                self._token = None

    def _effective_margin(self) -> timedelta:
        # A short-lived token (tests set 5 s) must not be refreshed on every request.
        return min(self._margin, self._lifetime / 5)

    def _fetch(self) -> None:
        now = self._now()
        try:
            # Never redirected: a 307 would send the key secret again, wherever it points.
            response = self._post(
                self._url,
                json=self._body,
                headers={contract.ACCOUNT_HEADER: self._account_id},
                allow_redirects=False,
            )
        except LexfulHTTPError as exc:
            if exc.status in (401, 403):
                raise LexfulAuthError(
                    exc.status,
                    f"the API key ID and secret were refused for this account ({exc.message})",
                ) from None
            raise
        if response.is_redirect:
            msg = f"the token request was redirected (HTTP {response.status_code}): not followed"
            raise LexfulAuthError(response.status_code, msg)
        try:
            self._token, self._expires_at = contract.token_and_expiry(response.json(), now)
        except (ValueError, RecursionError, AttributeError) as exc:  # JSON, nesting, a shape
            msg = f"the token answer is not usable: {scrub.peer_text(exc)}"
            raise LexfulAuthError(response.status_code, msg) from None
        scrub.register(self._token)
        self._lifetime = max(self._expires_at - now, timedelta(seconds=1))
        self.tokens_fetched += 1

    _lifetime = timedelta(seconds=contract.DEFAULT_TOKEN_LIFETIME_S)

    @staticmethod
    def _now() -> datetime:
        return datetime.now(timezone.utc)
