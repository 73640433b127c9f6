"""A peer that echoes a secret encoded: URL-encoded, base64, JSON-escaped, wrapped on a line.

The old scrubber masked only the verbatim secret; an API error quoting it in another form went
out in the taps' ERROR lines and tracebacks, source-lexful's LOG and TRACE messages, check's
CONNECTION_STATUS, and (target-lightfield) the rejects file and the id map.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tests.lightfield.target import helpers as lightfield_target
from tests.security.hostile import Answer, Seen, hostile

BIN = Path(sys.executable).parent
LEXFUL_SECRET = "s3cr/et+Key=with~odd&chars-0123456789"
LIGHTFIELD_KEY = "sk_lf_se/cr+et=key&0123456789abcdef"


def forms(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "quote": quote(secret, safe=""),
        "quote_plus": quote_plus(secret),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "basic": base64.b64encode(b"user:" + raw).decode(),
        "json": json.dumps(secret).replace("/", "\\/")[1:-1],
        "wrapped": secret[:9] + "\n" + secret[9:],
    }


def echo_body(secret: str) -> bytes:
    """An error body quoting ``secret`` in each form, in both APIs' error shapes."""
    echoed = {f"echo_{name}": form for name, form in forms(secret).items()}
    message = "bad request: " + " ".join(forms(secret).values())
    if secret.startswith("sk_lf_"):  # Lightfield: {"error": {type, message}}
        return json.dumps({"error": {"type": "invalid_request", "message": message}}).encode()
    return json.dumps({"error": "bad request", "message": message, **echoed}).encode()


def leaks(text: str, secret: str) -> list[str]:
    found = [name for name, form in forms(secret).items() if form in text]
    found += ["wrapped"] if secret[:9] + " " + secret[9:] in text else []
    found += ["wrapped"] if secret[:9] + "\\n" + secret[9:] in text else []
    found += ["wrapped"] if secret[:9] + "\\x0a" + secret[9:] in text else []
    return found + (["verbatim"] if secret in text else [])


def echo_all(secret: str) -> Any:
    def route(seen: Seen, forward: Any) -> Answer:
        return Answer(400, {"Content-Type": "application/json"}, echo_body(secret))

    return route


def run(command: list[str], config: dict[str, Any], tmp: Path) -> str:
    path = tmp / "config.json"
    path.write_text(json.dumps(config))
    done = subprocess.run(
        [*command[:1], *command[1:], "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    return done.stdout + done.stderr


def test_tap_lexful_masks_encoded_secrets(tmp_path: Path) -> None:
    with hostile(echo_all(LEXFUL_SECRET)) as api:
        config = {
            "api_url": api.url,
            "api_key_id": "key-id-1",
            "api_key_secret": LEXFUL_SECRET,
            "account_id": "acc-1",
            "max_tries": 1,
        }
        text = run([str(BIN / "tap-lexful")], config, tmp_path)
    assert "bad request" in text
    assert leaks(text, LEXFUL_SECRET) == []


def test_tap_lightfield_masks_encoded_secrets(tmp_path: Path) -> None:
    with hostile(echo_all(LIGHTFIELD_KEY)) as api:
        config = {"api_url": api.url, "api_key": LIGHTFIELD_KEY, "max_tries": 1}
        text = run([str(BIN / "tap-lightfield")], config, tmp_path)
    assert "bad request" in text
    assert leaks(text, LIGHTFIELD_KEY) == []


@pytest.mark.parametrize("command", ["check", "read"])
def test_source_lexful_masks_encoded_secrets(tmp_path: Path, command: str) -> None:
    pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")
    with hostile(echo_all(LEXFUL_SECRET)) as api:
        config = {
            "api_url": api.url,
            "api_key_id": "key-id-1",
            "api_key_secret": LEXFUL_SECRET,
            "account_id": "acc-1",
            "max_tries": 1,
        }
        args = [str(BIN / "source-lexful"), command]
        if command == "read":
            stream = {
                "name": "organizations",
                "json_schema": {"type": "object", "properties": {}},
                "supported_sync_modes": ["full_refresh"],
            }
            catalog = {
                "streams": [
                    {
                        "stream": stream,
                        "sync_mode": "full_refresh",
                        "destination_sync_mode": "append",
                    }
                ]
            }
            (tmp_path / "catalog.json").write_text(json.dumps(catalog))
            args += ["--catalog", str(tmp_path / "catalog.json")]
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        done = subprocess.run(
            [*args, "--config", str(path)], capture_output=True, text=True, timeout=120, check=False
        )
    text = done.stdout + done.stderr
    assert "bad request" in text
    assert leaks(text, LEXFUL_SECRET) == []


def test_target_lightfield_rejects_and_id_map_hold_no_encoded_key(tmp_path: Path) -> None:
    with lightfield_sandbox(seed="demo") as sandbox:
        key = sandbox.config["api_key"]

        def route(seen: Seen, forward: Any) -> Answer | None:
            if seen.method == "POST" and seen.path.split("?")[0] == "/v1/accounts":
                return Answer(400, {"Content-Type": "application/json"}, echo_body(key))
            return None

        with hostile(route, sandbox.config["api_url"]) as api:
            creds = {**sandbox.config, "api_url": api.url}
            config = lightfield_target.target_config(creds, tmp_path, max_tries=1)
            schema = {"type": "object", "properties": {}, "additionalProperties": True}
            name = "Echo " + base64.b64encode(key.encode()).decode()
            record = {"id": "acc-1", "fields": {"$name": name}, "relationships": {}}
            lines = [
                json.dumps(
                    {
                        "type": "SCHEMA",
                        "stream": "accounts",
                        "schema": schema,
                        "key_properties": ["id"],
                    }
                ),
                json.dumps({"type": "RECORD", "stream": "accounts", "record": record}),
            ]
            lightfield_target.run_target(config, lines)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    assert "bad request" in rejects
    assert leaks(rejects, key) == []
    with sqlite3.connect(tmp_path / "id-map.sqlite") as db:
        stored = json.dumps([list(row) for row in db.execute("SELECT * FROM ids")])
    assert leaks(stored, key) == []
