"""The hardened HTTP layer against a hostile API on loopback: both APIs' clients.

Each test reproduces a finding of issue 19 against the code before it (where it failed) and
shows it closed: no .netrc password, no secret past a redirect, no secret in an error or a
log line, no request to an unlisted internal address, a list that never ends stops, a body's
size and a request's total time are bounded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector_core.presigned import upload_headers
from lexful_api import LexfulClient
from lexful_api.errors import LexfulError
from lightfield_api.errors import LightfieldError
from lightfield_api.http import LightfieldClient
from tests.security.hostile import Answer, Seen, hostile

SECRET = "s3cr3t-key-secret-value"
TOKEN = "lxt.hostile-bearer-token"
LF_KEY = "sk_lf_hostile_test_key_123"


def token_answer() -> Answer:
    body = json.dumps({"token": TOKEN, "expires_in": 3600}).encode()
    return Answer(200, {"Content-Type": "application/json"}, body)


def lexful(url: str, **kw: Any) -> LexfulClient:
    return LexfulClient(
        api_url=url, account_id="acc", key_id="kid", key_secret=SECRET, max_tries=1, **kw
    )


def lightfield(url: str, **kw: Any) -> LightfieldClient:
    return LightfieldClient(api_url=url, api_key=LF_KEY, max_tries=1, **kw)


def no_basic(seen: list[Seen]) -> None:
    for request in seen:
        assert "netrc" not in json.dumps(request.headers)
        assert not request.headers.get("Authorization", "").startswith("Basic")


def test_netrc_is_not_sent_lexful(netrc_home: Path) -> None:
    def route(seen: Seen, _: object) -> Answer:
        if seen.path.startswith("/v1/auth/token"):
            return token_answer()
        return Answer(200, {"Content-Type": "application/json"}, b'{"items": [], "total": 0}')

    with hostile(route) as api:
        client = lexful(api.url)
        client.get_json("/v1/organizations")
        client.request("GET", api.url + "/file", authenticated=False)  # a presigned one
    assert len(api.seen) == 3
    no_basic(api.seen)


def test_netrc_is_not_sent_lightfield(netrc_home: Path) -> None:
    with hostile(lambda seen, _: Answer(200, {}, b"{}")) as api:
        lightfield(api.url).request("GET", api.url + "/presigned", authenticated=False)
    assert len(api.seen) == 1
    no_basic(api.seen)


def test_token_request_refuses_a_redirect() -> None:
    with hostile(lambda seen, _: token_answer()) as elsewhere:
        target = elsewhere.url + "/steal"
        with hostile(lambda seen, _: Answer(307, {"Location": target})) as api:
            client = lexful(api.url)
            with pytest.raises(LexfulError, match="redirected"):
                client.get_json("/v1/organizations")
    assert elsewhere.seen == []  # the key secret never went there


def test_credentials_do_not_follow_a_redirect_to_another_origin() -> None:
    with hostile(lambda seen, _: Answer(200, {}, b"{}")) as elsewhere:  # noqa: SIM117  (the inner one needs the outer's URL)
        with hostile(lambda seen, _: Answer(302, {"Location": elsewhere.url + "/x"})) as api:
            lightfield(api.url, allowed_file_hosts=[elsewhere.url[7:]]).get_json("/v1/accounts")
    assert [s.path for s in elsewhere.seen] == ["/x"]
    assert "Authorization" not in elsewhere.seen[0].headers
    assert LF_KEY not in json.dumps(elsewhere.seen[0].headers)


def test_error_body_echoing_secrets_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    def route(seen: Seen, _: object) -> Answer:
        if seen.path.startswith("/v1/auth/token"):
            return token_answer()
        echo = f"bad request: {seen.headers} secret={SECRET}\n2026 | INFO | forged line"
        return Answer(400, {"Content-Type": "text/plain"}, echo.encode())

    with hostile(route) as api, caplog.at_level(logging.DEBUG):
        with pytest.raises(LexfulError) as raised:
            lexful(api.url).get_json("/v1/organizations")
        logging.getLogger("lexful_api").error("failed", exc_info=raised.value)
    text = str(raised.value) + caplog.text
    assert SECRET not in text
    assert TOKEN not in text
    assert "\n2026 | INFO | forged" not in text
    assert "****" in str(raised.value)


def test_presigned_url_to_an_internal_host_is_refused() -> None:
    with hostile(lambda seen, _: Answer(200, {}, b"internal credentials")) as internal:  # noqa: SIM117  (the inner one needs the outer's URL)
        with hostile(lambda seen, _: Answer(200, {}, b"{}")) as api:
            client = lightfield(api.url)
            for url in (
                internal.url + "/latest/meta-data",
                "http://169.254.169.254/latest/meta-data",
                f"http://user:pw@{api.url[7:]}/x",
                "file:///etc/passwd",
            ):
                with pytest.raises(LightfieldError):
                    client.request("GET", url, authenticated=False)
            # A redirect from the API's own host to the internal one: checked hop by hop.
            api.route = lambda seen, _: Answer(302, {"Location": internal.url + "/meta"})
            with pytest.raises(LightfieldError, match="allowed_file_hosts"):
                client.request("GET", api.url + "/file", authenticated=False)
            # Listed exactly: allowed.
            listed = lightfield(api.url, allowed_file_hosts=[internal.url[7:]])
            assert listed.request("GET", internal.url + "/ok", authenticated=False).content
    assert internal.paths() == ["/ok"]


def test_upload_headers_keep_only_what_storage_needs() -> None:
    kept, dropped = upload_headers(
        {
            "Content-Type": "text/plain",
            "x-amz-meta-a": "1",
            "Host": "internal.admin",
            "X-Internal-Admin": "yes",
            "Connection": "close",
            "Transfer-Encoding": "chunked",
            "Authorization": "Basic x",
            "Content-MD5": "a\r\nX-Evil: 1",
        }
    )
    assert kept == {"Content-Type": "text/plain", "x-amz-meta-a": "1"}
    assert set(dropped) == {
        "Host",
        "X-Internal-Admin",
        "Connection",
        "Transfer-Encoding",
        "Authorization",
        "Content-MD5",
    }


def test_a_list_that_never_ends_stops() -> None:
    def route(seen: Seen, _: object) -> Answer:
        if seen.path.startswith("/v1/auth/token"):
            return token_answer()
        items = [{"id": f"{time.monotonic_ns()}-{i}"} for i in range(3)]
        return Answer(200, {}, json.dumps({"items": items, "total": 10**12}).encode())

    with hostile(route) as api:
        client = lexful(api.url, max_pages=5)
        with pytest.raises(LexfulError, match="max_pages"):
            list(client.iter_list("/v1/organizations", page_size=3))
    assert len(api.seen) == 6  # the token and five pages


def drip() -> Iterator[bytes]:
    for _ in range(400):
        yield b" "
        time.sleep(0.05)


def test_a_request_has_a_total_deadline_not_a_per_read_one() -> None:
    """One byte every 50 ms for 20 s: each read is quick, the request is not. The old client
    waited for all of it; this one gives up at its deadline (not asserted as a time)."""
    answer = Answer(200, {"Content-Type": "application/json"}, drip())
    with hostile(lambda seen, _: answer) as api:  # noqa: SIM117  (the inner one needs the outer's URL)
        with pytest.raises(LightfieldError, match="failed after 1 tries: Timeout"):
            lightfield(api.url, timeout_s=1.0).get_json("/v1/accounts")


def test_headers_sent_a_byte_at_a_time_stop_at_the_deadline() -> None:
    """The status line and headers a byte every 50 ms (20 s in all): each read is quick."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    answered: list[int] = []

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400 + b"\r\nContent-Length: 2\r\n\r\n{}"
        with contextlib.suppress(OSError):
            for byte in head:
                conn.send(bytes([byte]))
                time.sleep(0.05)
            answered.append(1)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(LightfieldError, match="failed after 1 tries"):
            lightfield(url, timeout_s=1.0).get_json("/v1/accounts")
    finally:
        thread.join(30)
        listener.close()
    assert answered == []  # the client hung up before the headers ended
