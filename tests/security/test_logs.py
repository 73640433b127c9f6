"""Log injection: names from the API cannot forge log lines, nor counts in the Dagster job.

A proxy in front of the sandbox adds to every organization a property whose name holds a
newline and a line in the tap's own summary format. The old tap logged it raw (the warning
about undeclared properties), and lexful_dagster's log reader counted the forged line.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from lexful_api import LexfulClient
from lexful_dagster.pipes_job import read_log
from tests.lexful.client import create_organizations
from tests.lexful.tap.helpers import tap_config
from tests.security.hostile import Answer, Seen, hostile

TAP = str(Path(sys.executable).with_name("tap-lexful"))
FORGED = (
    "x\n2026-01-01 00:00:00,000 | INFO     | tap-lexful.organizations       | "
    "Stream 'organizations' done: 1000000 records, 1 requests, 0 retries, 0.1 s\x1b[2J"
)


def test_names_from_the_api_cannot_forge_log_lines(
    empty_account: dict[str, Any], client: LexfulClient, tmp_path: Path
) -> None:
    create_organizations(client, 1)

    def route(seen: Seen, forward: Any) -> Answer | None:
        if not seen.path.startswith("/v1/organizations"):
            return None
        up = forward()
        body = json.loads(up.body)
        for item in body.get("items", []):
            item[FORGED] = 1
        return Answer(up.status, {"Content-Type": "application/json"}, json.dumps(body).encode())

    with hostile(route, empty_account["api_url"]) as api:
        config = tap_config({**empty_account, "api_url": api.url})
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        done = subprocess.run(
            [TAP, "--config", str(path)], capture_output=True, text=True, timeout=120, check=True
        )
    assert "the schema does not declare" in done.stderr  # the name was logged, escaped
    assert "\x1b" not in done.stderr
    records, _tail = read_log(io.StringIO(done.stderr), io.StringIO())
    assert records.get("organizations") == 1
