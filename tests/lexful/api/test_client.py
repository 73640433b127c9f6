"""The shared Lexful client against the sandbox: tokens, retries, pacing and clean errors."""

from __future__ import annotations

import logging
import time

import pytest

from lexful_api import LexfulClient, LexfulHTTPError, contract
from lexful_api.errors import LexfulAuthError
from lexful_sandbox import running_sandbox


def make_client(config: dict[str, str], **options: object) -> LexfulClient:
    return LexfulClient(
        api_url=config["api_url"],
        account_id=config["account_id"],
        key_id=config["api_key_id"],
        key_secret=config["api_key_secret"],
        backoff_base_s=0.01,
        **options,
    )


def test_token_is_refreshed_before_it_expires() -> None:
    with running_sandbox(token_ttl=1) as sandbox:
        client = make_client(sandbox.config)
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            client.get_json(contract.organizations_path(), {"limit": 1})
        assert client.auth.tokens_fetched >= 3
        assert sandbox.stats()["by_status"].get(401, 0) == 0


def test_a_401_fetches_a_new_token_once_and_retries() -> None:
    with running_sandbox(token_ttl=1) as sandbox:
        # A negative margin keeps using a token after it expired: the server answers 401.
        client = make_client(sandbox.config, token_refresh_margin_s=-60)
        client.get_json(contract.organizations_path(), {"limit": 1})
        time.sleep(1.2)
        body = client.get_json(contract.organizations_path(), {"limit": 1})
        assert contract.list_total(body) == 0
        assert client.auth.tokens_fetched == 2
        assert sandbox.stats()["by_status"].get(401) == 1


def test_a_refused_key_is_one_clear_line_without_the_secret() -> None:
    with running_sandbox() as sandbox:
        config = sandbox.config | {"api_key_secret": "not-the-secret-xyz"}
        with pytest.raises(LexfulAuthError) as caught:
            make_client(config).get_json(contract.organizations_path())
        assert "401" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert "not-the-secret-xyz" not in str(caught.value)


def test_429_waits_for_retry_after_and_then_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    with running_sandbox(rate_limit=5) as sandbox:
        client = make_client(sandbox.config)
        caplog.set_level(logging.WARNING, "lexful_api")
        for _ in range(15):
            client.get_json(contract.organizations_path(), {"limit": 1})
        assert sandbox.stats()["by_status"].get(429, 0) > 0
        assert any("429" in record.getMessage() for record in caplog.records)


def test_client_budget_avoids_429_altogether() -> None:
    with running_sandbox(rate_limit=20) as sandbox:
        client = make_client(sandbox.config, max_requests_per_second=10, rate_burst=1)
        started = time.monotonic()
        for _ in range(15):
            client.get_json(contract.organizations_path(), {"limit": 1})
        assert time.monotonic() - started >= 1.3  # paced: 15 requests at 10/s
        assert sandbox.stats()["by_status"].get(429, 0) == 0


def test_transient_errors_are_retried_until_tries_run_out() -> None:
    with running_sandbox(error_rate=1.0) as sandbox:
        client = make_client(sandbox.config, max_tries=3)
        with pytest.raises(LexfulHTTPError) as caught:
            client.get_json(contract.organizations_path(), {"limit": 1, "name[eq]": "x"})
        error = caught.value
        assert error.status in contract.TRANSIENT_STATUSES
        assert "gave up after 3 tries" in str(error)
        assert "?" not in str(error)  # the query never reaches an error


def test_a_bad_request_is_not_retried_and_keeps_the_api_message() -> None:
    with running_sandbox() as sandbox:
        client = make_client(sandbox.config)
        before = sandbox.stats()["requests"]
        with pytest.raises(LexfulHTTPError) as caught:
            client.get_json(contract.organizations_path(), {"nosuchfield[eq]": "1"})
        assert caught.value.status == 400
        assert "nosuchfield" in caught.value.message
        assert sandbox.stats()["requests"] - before <= 2  # the token, then one try


def test_an_error_line_carries_the_message_error_code_and_error_id() -> None:
    """What Lexful's support asks for is in the one line: message, error_code and error_id."""
    with running_sandbox() as sandbox:
        client = make_client(sandbox.config)
        with pytest.raises(LexfulHTTPError) as caught:
            client.get_json(contract.organizations_path("no-such-org"))
        line = str(caught.value)
        assert line.startswith("GET /v1/organizations/no-such-org -> 404: organization no-such")
        assert "error_code NOT_FOUND" in line
        error_id = line.rsplit("error_id ", 1)[1].rstrip("]")
        assert len(error_id) == 36
        assert "\n" not in line


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            {
                "status": 400,
                "message": "bad",
                "error_id": "e-1",
                "error_code": "BAD_REQUEST",
                "developer_message": "field 'x': bad",
            },
            "field 'x': bad [error_code BAD_REQUEST, error_id e-1]",
        ),
        ({"status": 404, "message": "gone", "developer_message": "gone"}, "gone"),
        ({"statusCode": 400, "error": "Bad Request", "message": "no"}, "no; Bad Request"),
        ({"detail": "throttled"}, "throttled"),
        ({"error_code": "X"}, "error_code X"),
        ("upstream\nbroke", "upstream broke"),
        ({}, "fallback"),
    ],
)
def test_an_error_body_of_any_shape_is_read(body: object, line: str) -> None:
    assert contract.error_message(body, "fallback") == line
