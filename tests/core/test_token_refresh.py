"""``connector_core.http.HttpClient``'s token renewal, against a scripted server on loopback:
a token refused right after its renewal is a real refusal, but one renewed before a retry's
wait may have expired during that wait (a 1-second token and a 502 in between) and is renewed
again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from connector_core.http import ApiProfile, HttpClient


class Refused(Exception):
    """The scripted API's error."""


PROFILE = ApiProfile(
    transient_statuses=frozenset({429, 502, 503}),
    error_message=lambda body, reason: str(body or reason),
    http_error=lambda status, message, method, path: Refused(f"{method} {path} -> {status}"),
    connection_error=Refused,
    logger=logging.getLogger("tests.core.token_refresh"),
)


class CountingAuth(requests.auth.AuthBase):
    """A refreshable auth: each invalidation hands out the next token."""

    def __init__(self) -> None:
        self.generation = 1
        self.invalidated: list[str | None] = []

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer token-{self.generation}"
        return request

    def invalidate(self, token_used: str | None = None) -> None:
        self.invalidated.append(token_used)
        self.generation += 1


@contextmanager
def scripted_server(statuses: list[int]) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    script = iter(statuses)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            status = next(script, 200)
            body = b'{"ok": true}' if status == 200 else b'{"error": "no"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


MakeClient = Callable[[str, CountingAuth], HttpClient]


@pytest.fixture
def client_for() -> Iterator[MakeClient]:
    made: list[HttpClient] = []

    def make(url: str, auth: CountingAuth) -> HttpClient:
        client = HttpClient(api_url=url, profile=PROFILE, auth=auth, backoff_base_s=0.01)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_a_token_that_expires_during_a_retry_wait_is_renewed_again(client_for: MakeClient) -> None:
    auth = CountingAuth()
    with scripted_server([401, 502, 401, 200]) as (url, seen):
        answer = client_for(url, auth).get_json("/v1/things")
        assert answer == {"ok": True}
        assert seen == [
            "Bearer token-1",
            "Bearer token-2",
            "Bearer token-2",
            "Bearer token-3",
        ]
        assert auth.invalidated == ["token-1", "token-2"]


def test_a_token_refused_right_after_its_renewal_is_a_real_refusal(client_for: MakeClient) -> None:
    auth = CountingAuth()
    with scripted_server([401, 401, 200]) as (url, seen):
        with pytest.raises(Refused, match="401"):
            client_for(url, auth).get_json("/v1/things")
        assert seen == ["Bearer token-1", "Bearer token-2"]
        assert auth.invalidated == ["token-1"]
