"""source-lexful against an API whose error bodies echo the request: no secret in any message.

The old adapter masked its LOG messages, but its final ERROR trace carried the tap's error
text in ``message`` and ``internal_message``: the key secret and the bearer token in full.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lexful_sandbox import running_sandbox
from tests.airbyte.helpers import configured, discovered, run, write_json
from tests.security.hostile import Answer, Seen, hostile


def test_source_lexful_traces_hold_no_secret(tmp_path: Path) -> None:
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        secret = config["api_key_secret"]
        catalog = configured(discovered(tmp_path, config), names={"organizations"})
        tokens: list[str] = []

        def route(seen: Seen, forward: Any) -> Answer | None:
            if seen.path.startswith("/v1/auth/token"):
                return None
            bearer = seen.headers.get("Authorization", "")
            tokens.append(bearer.removeprefix("Bearer "))
            echo = f"bad request from {bearer}; key secret {secret}\nforged | INFO | line"
            return Answer(400, {"Content-Type": "text/plain"}, echo.encode())

        with hostile(route, config["api_url"]) as api:
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
