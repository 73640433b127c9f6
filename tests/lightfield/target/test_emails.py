"""Emails copied through POST /v1/emails/log: bodies and participants as sent, and an email
the workspace already holds (409: "already exists, nothing written") counted unchanged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightfield_sandbox import Sandbox, running_sandbox
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import run_target, tap_lines, target_config, with_demo_members


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as own:
        yield own


def _emails_only(lines: list[str]) -> list[str]:
    return [x for x in lines if json.loads(x).get("stream") in (None, "emails")]


def test_emails_logged_once_and_409_is_already_there(sandbox: Sandbox, tmp_path: Path) -> None:
    creds = sandbox.new_account()
    with_demo_members(sandbox, creds)
    lines = _emails_only(tap_lines(sandbox.config, email_bodies=True))
    target, _ = run_target(target_config(creds, tmp_path / "one"), lines)
    assert target.engine.stats.total("created") == 4
    source = {e["fields"]["$subject"]["value"]: e for e in Reader(sandbox.config).all("/v1/emails")}
    reader = Reader(creds)
    for listed in reader.all("/v1/emails"):
        copy = reader.get(f"/v1/emails/{listed['id']}")
        original = source[copy["fields"]["$subject"]["value"]]
        for key in ("$from", "$to", "$sentAt", "$privacySetting"):
            assert copy["fields"][key]["value"] == original["fields"][key]["value"], key
        one = Reader(sandbox.config).get(f"/v1/emails/{original['id']}")
        assert copy["fields"]["$body"]["value"] == one["fields"]["$body"]["value"]

    # A new id map, once the idempotency keys have expired: each log answers 409.
    sandbox.freeze_clock(time.time() + 25 * 3600)
    again, _ = run_target(target_config(creds, tmp_path / "two"), lines)
    assert again.engine.stats.total("unchanged") == 4
    assert again.engine.stats.total("created") == again.engine.stats.total("rejected") == 0
    assert len(reader.all("/v1/emails")) == 4
