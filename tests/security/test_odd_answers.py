"""Odd answers from a hostile API end the run with one line naming what was wrong.

The old tap-lexful ended with a raw traceback of Python's own error: ``expires_in: 1e308``
(OverflowError), a ``total`` of over 4300 digits (ValueError), JSON nested 200,000 deep
(RecursionError), a token holding CRLF (ValueError: invalid header); and ``expires_in: -1``
made it fetch a token before every request. A proxy in front of the sandbox changes one
answer; the tap runs as its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient
from tests.lexful.client import create_organizations
from tests.lexful.tap.helpers import tap_config
from tests.security.hostile import Answer, Seen, hostile

TAP = str(Path(sys.executable).with_name("tap-lexful"))
DEEP = b"[" * 200_000 + b"]" * 200_000
HUGE_TOTAL = b'{"items": [], "total": ' + b"9" * 5000 + b"}"


def token_answer(**fields: Any) -> Any:
    """A route that forwards the token request and changes its answer's ``fields``."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        if not seen.path.startswith("/v1/auth/token"):
            return None
        up = forward()
        body = {**json.loads(up.body), **fields}
        return Answer(up.status, {"Content-Type": "application/json"}, json.dumps(body).encode())

    return route


def raw_answer(prefix: str, body: bytes) -> Any:
    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.path.startswith(prefix):
            return Answer(200, {"Content-Type": "application/json"}, body)
        return None

    return route


def run_tap(account: dict[str, Any], route: Any, tmp_path: Path) -> tuple[int, str, list[Seen]]:
    with hostile(route, account["api_url"]) as api:
        config = tap_config({**account, "api_url": api.url}, max_tries=1)
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        done = subprocess.run(
            [TAP, "--config", str(path)], capture_output=True, text=True, timeout=300, check=False
        )
        return done.returncode, done.stderr, list(api.seen)


@pytest.fixture
def account(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    create_organizations(client, 3)
    return empty_account


def test_a_huge_expires_in_is_held_to_a_day(account: dict[str, Any], tmp_path: Path) -> None:
    rc, stderr, _seen = run_tap(account, token_answer(expires_in=1e308), tmp_path)
    assert rc == 0, stderr[-2000:]
    assert "OverflowError" not in stderr


def test_a_negative_expires_in_does_not_fetch_a_token_per_request(
    account: dict[str, Any], tmp_path: Path
) -> None:
    rc, stderr, seen = run_tap(account, token_answer(expires_in=-1), tmp_path)
    assert rc == 0, stderr[-2000:]
    tokens = [s for s in seen if s.path.startswith("/v1/auth/token")]
    others = [s for s in seen if not s.path.startswith("/v1/auth/token")]
    assert len(others) > 10
    assert len(tokens) <= len(others) / 4, (len(tokens), len(others))


@pytest.mark.parametrize(
    ("route", "named", "not_seen"),
    [
        (token_answer(token="abc\r\nX-Injected: yes"), "token", "invalid header"),
        (raw_answer("/v1/auth/token", DEEP), "token", "RecursionError"),
        (raw_answer("/v1/organizations", HUGE_TOTAL), "/v1/organizations", "ValueError:"),
        (raw_answer("/v1/organizations", DEEP), "/v1/organizations", "RecursionError"),
    ],
    ids=["crlf-token", "deep-token", "huge-total", "deep-page"],
)
def test_odd_answers_end_with_one_line(
    account: dict[str, Any], tmp_path: Path, route: Any, named: str, not_seen: str
) -> None:
    rc, stderr, seen = run_tap(account, route, tmp_path)
    assert rc != 0
    lines = stderr.strip().splitlines()
    told = [line for line in lines[-3:] if named in line]  # the error, then maybe the SDK's
    assert told, stderr[-3000:]
    assert not_seen not in stderr, stderr[-3000:]
    assert all("X-Injected" not in s.headers for s in seen)
