"""destination-lexful as Airbyte runs it: Airbyte messages on stdin, protocol messages out.

A state comes out only once target-lexful has confirmed every record before it; a run that
confirms nothing (dry_run) passes no state on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.models import Type

from lexful_api import contract
from lexful_sandbox import Sandbox
from target_lexful.target import TargetLexful
from tests.lexful.airbyte.helpers import Run, run, write_json
from tests.lexful.client import SDK_TARGET_SETTINGS, client_for, list_all

ORGANIZATION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": ["string", "null"]},
        "status": {"type": ["string", "null"]},
    },
}
# The Singer SDK's built-in settings of a target (batch_size_rows is target-lexful's own).
SDK_SETTINGS = SDK_TARGET_SETTINGS


def catalog(mode: str = "append_dedup") -> dict[str, Any]:
    stream = {
        "name": "organizations",
        "json_schema": ORGANIZATION,
        "supported_sync_modes": ["full_refresh", "incremental"],
        "source_defined_primary_key": [["id"]],
    }
    return {
        "streams": [{"stream": stream, "sync_mode": "incremental", "destination_sync_mode": mode}]
    }


def state(n: int) -> dict[str, Any]:
    stream = {"stream_descriptor": {"name": "organizations"}, "stream_state": {"n": n}}
    return {"type": "STATE", "state": {"type": "STREAM", "stream": stream}}


def organizations(count: int, every: int) -> list[dict[str, Any]]:
    """``count`` organization records, a state after every ``every`` of them and at the end."""
    lines: list[dict[str, Any]] = []
    for i in range(count):
        data = {"id": f"crm-{i}", "name": f"Imported {i}", "type": "client", "status": "active"}
        lines.append(
            {"type": "RECORD", "record": {"stream": "organizations", "data": data, "emitted_at": 0}}
        )
        if (i + 1) % every == 0:
            lines.append(state(i))
    return [*lines, state(count)]


def write(
    tmp: Path, config: dict[str, Any], lines: list[dict[str, Any]], mode: str = "append_dedup"
) -> Run:
    config = config | {
        "id_map_path": str(tmp / "id-map.sqlite"),
        "rejects_path": str(tmp / "rejects.jsonl"),
    }
    args = ["write", "--config", write_json(tmp / "config.json", config)]
    args += ["--catalog", write_json(tmp / "catalog.json", catalog(mode))]
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return run("destination-lexful", *args, stdin=stdin)


def written(config: dict[str, Any]) -> int:
    return len(list_all(client_for(config), contract.organizations_path()))


def test_check_refuses_what_write_refuses(airbyte_demo: Sandbox, tmp_path: Path) -> None:
    """A setting target-lexful refuses before its first record fails check, with its message."""
    config = airbyte_demo.config | {"id_map_path": str(tmp_path / "id-map.sqlite")}
    cases = {
        "Connected to account": config,
        "allowed_download_hosts: 'http://a b'": config | {"allowed_download_hosts": ["http://a b"]},
    }
    for expected, checked in cases.items():
        result = run(
            "destination-lexful", "check", "--config", write_json(tmp_path / "c.json", checked)
        )
        (status,) = result.of(Type.CONNECTION_STATUS)
        assert status.connectionStatus is not None
        assert (status.connectionStatus.message or "").startswith(expected), status


def test_spec_is_the_targets_own_settings_and_its_sync_modes() -> None:
    result = run("destination-lexful", "spec")
    (message,) = result.of(Type.SPEC)
    assert message.spec is not None
    schema = message.spec.connectionSpecification
    TargetLexful.append_builtin_config(TargetLexful.config_jsonschema)  # as the SDK does
    own = set(TargetLexful.config_jsonschema["properties"]) - SDK_SETTINGS
    assert set(schema["properties"]) == own
    assert "batch_size_rows" in own
    assert schema["properties"]["api_key_secret"]["airbyte_secret"] is True
    modes = [mode.value for mode in message.spec.supported_destination_sync_modes or []]
    assert modes == ["append", "append_dedup"]


def test_each_state_comes_out_after_the_target_confirms_its_records(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    account = airbyte_demo.new_account()
    lines = organizations(7, every=3)
    result = write(tmp_path, account, lines)
    assert result.code == 0, result.stderr
    assert written(account) == 7
    states = [s for s in result.messages if s.type == Type.STATE]
    sent = [line["state"] for line in lines if line["type"] == "STATE"]
    assert [s.state.stream.stream_state.n for s in states if s.state and s.state.stream] == [
        s["stream"]["stream_state"]["n"] for s in sent
    ]
    counts = [
        s.state.destinationStats.recordCount for s in states if s.state and s.state.destinationStats
    ]
    assert counts == [3.0, 3.0, 1.0]
    # Written again: target-lexful knows every record from its id map; nothing doubles.
    again = write(tmp_path, account, lines)
    assert again.code == 0, again.stderr
    assert written(account) == 7


def test_a_state_the_target_never_confirms_is_not_passed_on(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    account = airbyte_demo.new_account()
    result = write(tmp_path, account | {"dry_run": True}, organizations(4, every=2))
    assert result.code == 0, result.stderr
    assert result.of(Type.STATE) == []  # dry_run writes nothing, so it confirms nothing
    logs = [m.log.message for m in result.of(Type.LOG) if m.log]
    assert any("3 state(s) not confirmed by target-lexful" in line for line in logs)
    assert written(account) == 0


def test_overwrite_is_refused_before_anything_is_written(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    account = airbyte_demo.new_account()
    result = write(tmp_path, account, organizations(2, every=2), mode="overwrite")
    assert result.code == 1
    (trace,) = [m.trace for m in result.of(Type.TRACE) if m.trace and m.trace.error]
    assert trace.error is not None
    assert "refused: organizations (overwrite)" in trace.error.message
    assert written(account) == 0


def test_a_target_that_fails_fails_the_write_and_confirms_nothing(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    account = airbyte_demo.new_account() | {"api_key_secret": "lxs_wrong"}
    result = write(tmp_path, account, organizations(2, every=1))
    assert result.code == 1
    assert result.of(Type.STATE) == []
    (trace,) = [m.trace for m in result.of(Type.TRACE) if m.trace and m.trace.error]
    assert trace.error is not None
    assert trace.error.message.startswith("api_key_id/api_key_secret")
