"""The Airbyte adapter (source-lexful, destination-lexful) against a hostile API.

- error bodies that echo the request: the old adapter masked its LOG messages, but its final
  ERROR trace carried the connector's error text in ``message`` and ``internal_message``: the
  key secret and the bearer token in full. Now no secret in any message, of either command;
- ``~/.netrc``: no ``Basic`` password reaches the API from ``check`` (nor from ``read`` or
  ``write``, which run the same connectors);
- a token endpoint that redirects to another host: the key secret does not follow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.models import Type

from lexful_sandbox import running_sandbox
from tests.lexful.airbyte.helpers import Run, configured, discovered, run, write_json
from tests.security.hostile import Answer, Seen, hostile

ADAPTERS = ("source-lexful", "destination-lexful")


def echo_secrets(secret: str, tokens: list[str], status: int = 400) -> Any:
    """A route that answers every call but the token's with ``status``, quoting its
    credentials."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.path.startswith("/v1/auth/token"):
            return None
        bearer = seen.headers.get("Authorization", "")
        tokens.append(bearer.removeprefix("Bearer "))
        echo = f"bad request from {bearer}; key secret {secret}\nforged | INFO | line"
        return Answer(status, {"Content-Type": "text/plain"}, echo.encode())

    return route


def everything(result: Run) -> str:
    return result.stderr + "".join(str(m) for m in result.messages)


def status_of(result: Run) -> tuple[str, str]:
    (message,) = result.of(Type.CONNECTION_STATUS)
    status = message.connectionStatus
    assert status is not None
    return status.status.value, status.message or ""


def test_source_lexful_traces_hold_no_secret(tmp_path: Path) -> None:
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        secret = config["api_key_secret"]
        catalog = configured(discovered(tmp_path, config), names={"organizations"})
        tokens: list[str] = []

        with hostile(echo_secrets(secret, tokens), config["api_url"]) as api:
            hostile_config = {**config, "api_url": api.url, "max_tries": 1}
            result = run(
                "source-lexful",
                "read",
                "--config",
                write_json(tmp_path / "c.json", hostile_config),
                "--catalog",
                write_json(tmp_path / "cat.json", catalog),
            )
    assert result.code == 1
    assert tokens
    assert tokens[0]
    text = result.stderr + "".join(str(m) for m in result.messages)
    assert "bad request" in text  # the error did come through
    assert secret not in text
    assert tokens[0] not in text


@pytest.mark.parametrize("status", [500, 400])
def test_destination_lexful_traces_and_rejects_hold_no_secret(tmp_path: Path, status: int) -> None:
    """500 (after its one try): the write fails, its ERROR trace quotes the error; 400: the
    record is rejected, the rejects file quotes it. Neither holds a secret."""
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        secret = config["api_key_secret"]
        tokens: list[str] = []
        with hostile(echo_secrets(secret, tokens, status), config["api_url"]) as api:
            hostile_config = {
                **config,
                "api_url": api.url,
                "max_tries": 1,
                "id_map_path": str(tmp_path / "id-map.sqlite"),
                "rejects_path": str(tmp_path / "rejects.jsonl"),
            }
            stream = {
                "name": "organizations",
                "json_schema": {"type": "object", "properties": {"name": {"type": "string"}}},
                "supported_sync_modes": ["full_refresh", "incremental"],
                "source_defined_primary_key": [["id"]],
            }
            catalog = {
                "streams": [
                    {
                        "stream": stream,
                        "sync_mode": "incremental",
                        "destination_sync_mode": "append_dedup",
                    }
                ]
            }
            data = {"id": "crm-1", "name": "Echo", "type": "client", "status": "active"}
            record = {"stream": "organizations", "data": data, "emitted_at": 0}
            stdin = (json.dumps({"type": "RECORD", "record": record}) + "\n").encode()
            result = run(
                "destination-lexful",
                "write",
                "--config",
                write_json(tmp_path / "c.json", hostile_config),
                "--catalog",
                write_json(tmp_path / "cat.json", catalog),
                stdin=stdin,
            )
    assert tokens
    assert tokens[0]
    text = everything(result)
    if status == 500:
        assert result.code == 1
        assert any(m.trace and m.trace.error for m in result.of(Type.TRACE))
    else:
        assert result.code == 0
        text = (tmp_path / "rejects.jsonl").read_text()
    assert "bad request" in text  # the error did come through
    assert secret not in text
    assert tokens[0] not in text


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_check_sends_no_netrc_password(adapter: str, netrc_home: Path, tmp_path: Path) -> None:
    with running_sandbox(seed="demo") as sandbox, hostile(None, sandbox.config["api_url"]) as api:
        config = {
            **sandbox.config,
            "api_url": api.url,
            "id_map_path": str(tmp_path / "id-map.sqlite"),
            "rejects_path": str(tmp_path / "rejects.jsonl"),
        }
        result = run(adapter, "check", "--config", write_json(tmp_path / "c.json", config))
    assert status_of(result)[0] == "SUCCEEDED", result.stderr
    assert api.seen
    for seen in api.seen:
        assert "netrc" not in json.dumps(seen.headers)
        assert not seen.headers.get("Authorization", "").startswith("Basic")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_check_does_not_send_the_key_secret_past_a_redirect(
    adapter: str, netrc_home: Path, tmp_path: Path
) -> None:
    token = {"token": "lxt.stolen", "expires_in": 3600}
    stolen = Answer(200, {"Content-Type": "application/json"}, json.dumps(token).encode())
    with running_sandbox(seed="demo") as sandbox, hostile(lambda s, _: stolen) as elsewhere:

        def route(seen: Seen, forward: Any) -> Answer | None:
            if seen.path.startswith("/v1/auth/token"):
                return Answer(307, {"Location": elsewhere.url + "/steal"})
            return None

        with hostile(route, sandbox.config["api_url"]) as api:
            config = {
                **sandbox.config,
                "api_url": api.url,
                "max_tries": 1,
                "allowed_file_hosts": [elsewhere.url[len("http://") :]],  # listed: still not
                "id_map_path": str(tmp_path / "id-map.sqlite"),
                "rejects_path": str(tmp_path / "rejects.jsonl"),
            }
            result = run(adapter, "check", "--config", write_json(tmp_path / "c.json", config))
        secret = sandbox.config["api_key_secret"]
    status, message = status_of(result)
    assert status == "FAILED"
    assert "redirect" in message
    assert elsewhere.seen == []  # the key pair never went there
    assert any(seen.path.startswith("/v1/auth/token") for seen in api.seen)
    assert secret not in everything(result)
