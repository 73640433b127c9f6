"""source-lexful as Airbyte runs it: commands, files, stdout; every printed line a protocol message.

What it must match is tap-lexful itself: the same records per stream, the same bookmarks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.models import (
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    Type,
)
from airbyte_cdk.sources import Source
from jsonschema import Draft7Validator

from airbyte_lexful import cli
from airbyte_lexful.mapping import ADAPTER_SETTINGS, SECRET_SETTINGS, tap_inputs
from lexful_api import contract
from lexful_sandbox import Sandbox, running_sandbox
from tap_lexful.tap import TapLexful
from tests.lexful.airbyte.helpers import (
    Run,
    configured,
    discovered,
    run,
    tap_records,
    write_json,
)
from tests.lexful.client import SDK_MAP_SETTINGS, client_for, create_asset, create_organization

FULL_TABLE = {"organization_types", "asset_types", "related_assets", "files", "asset_counts"}
# The Singer SDK's built-in settings of a tap (the SDK adds them to the class's schema).
SDK_SETTINGS = SDK_MAP_SETTINGS | {"batch_config"}


def read(tmp: Path, config: dict[str, Any], catalog: dict[str, Any], state: Any = None) -> Run:
    args = ["read", "--config", write_json(tmp / "config.json", config)]
    args += ["--catalog", write_json(tmp / "catalog.json", catalog)]
    if state is not None:
        args += ["--state", write_json(tmp / "state.json", state)]
    return run("source-lexful", *args)


def last_states(result: Run) -> list[dict[str, Any]]:
    """The last state of each stream, as Airbyte hands them to the next read."""
    by_stream = {s["stream"]["stream_descriptor"]["name"]: s for s in result.stream_states()}
    return [{k: v for k, v in s.items() if k != "sourceStats"} for s in by_stream.values()]


def test_spec_is_the_taps_own_settings_with_its_secret_marked() -> None:
    result = run("source-lexful", "spec")
    assert result.code == 0, result.stderr
    (message,) = result.of(Type.SPEC)
    assert message.spec is not None
    schema = message.spec.connectionSpecification
    Draft7Validator.check_schema(schema)
    TapLexful.append_builtin_config(TapLexful.config_jsonschema)  # as a run of the SDK does
    own = set(TapLexful.config_jsonschema["properties"]) - SDK_SETTINGS
    # children is the adapter's: a full refresh of related_assets and files is all_parents.
    assert set(schema["properties"]) == own - set(ADAPTER_SETTINGS)
    assert ADAPTER_SETTINGS == {"children": "all_parents"}
    assert {"account_id", "children", "files_content", "max_tries"} <= own
    assert schema["required"] == ["account_id", "api_key_id", "api_key_secret"]
    secret = [name for name, prop in schema["properties"].items() if prop.get("airbyte_secret")]
    assert secret == ["api_key_secret", "proxy_url"]  # a proxy URL may hold a password
    assert tuple(secret) == SECRET_SETTINGS  # what a read masks in the tap's log


def test_check_names_the_setting_to_fix(airbyte_demo: Sandbox, tmp_path: Path) -> None:
    valid = airbyte_demo.config
    cases = {
        "Connected to account": valid,
        "api_key_id/api_key_secret:": valid | {"api_key_secret": "lxs_wrong"},
        "account_id:": valid | {"account_id": airbyte_demo.new_account()["account_id"]},
        "api_url:": valid | {"api_url": "http://127.0.0.1:9", "max_tries": 1},
    }
    for expected, config in cases.items():
        result = run("source-lexful", "check", "--config", write_json(tmp_path / "c.json", config))
        (status,) = result.of(Type.CONNECTION_STATUS)
        assert result.code == 0
        assert status.connectionStatus is not None
        assert status.connectionStatus.message is not None
        assert status.connectionStatus.message.startswith(expected), status.connectionStatus


def test_check_refuses_what_read_refuses(airbyte_demo: Sandbox, tmp_path: Path) -> None:
    """Settings only the tap can judge (against the account's streams and fields) fail check
    with the message read fails with, before any record."""
    valid = airbyte_demo.config
    cases = {
        "filters: no stream named 'no_such_stream'": {"filters": {"no_such_stream": {}}},
        "filters.system_contact: 'nope[eq]'": {"filters": {"system_contact": {"nope[eq]": "1"}}},
        "asset_types: unknown asset type(s) ['no.such']": {"asset_types": ["no.such"]},
        # Were checked as fine, then a read's traceback at its first file (after records).
        "files_dir: '/proc/nope' cannot be created or written": {
            "files_content": "directory",
            "files_dir": "/proc/nope",
        },
        # Were checked as fine, then the read's MapExpressionError traceback.
        "stream_maps: Failed to parse expression important ===.": {
            "stream_maps": {"system_contact": {"__filter__": "important ==="}}
        },
        # Were checked as fine, then read's "Failed to evaluate simpleeval expressions".
        "stream_maps.system_location.x: 'nosuchfield + 1' uses 'nosuchfield'": {
            "stream_maps": {"system_location": {"x": "nosuchfield + 1"}}
        },
        "stream_maps.system_contact.__filter__: 'nosuch == 1' uses 'nosuch'": {
            "stream_maps": {"system_contact": {"__filter__": "nosuch == 1"}}
        },
        "stream_maps.system_contact.y: 'undefined_func(name)' uses 'undefined_func'": {
            "stream_maps": {"system_contact": {"y": "undefined_func(name)"}}
        },
    }
    catalog = configured(discovered(tmp_path, valid))
    for expected, extra in cases.items():
        config = valid | extra
        checked = run("source-lexful", "check", "--config", write_json(tmp_path / "c.json", config))
        (status,) = checked.of(Type.CONNECTION_STATUS)
        assert status.connectionStatus is not None
        assert status.connectionStatus.status.value == "FAILED", expected
        message = status.connectionStatus.message or ""
        assert message.startswith(expected), message
        refused = read(tmp_path, config, catalog)
        assert refused.code == 1
        assert not refused.records()
        traces = [m.trace.error for m in refused.of(Type.TRACE) if m.trace and m.trace.error]
        assert [trace.message for trace in traces] == [message]


def test_a_setting_its_schema_refuses_is_told_alike_by_check_and_read(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    """A value the settings' schema refuses: check fails with the line read fails with, which
    names the setting (the CDK's own check said 'Config validation error: 0 is less than the
    minimum of 2', naming none)."""
    valid = airbyte_demo.config
    cases = {
        "0 is less than the minimum of 2 in config['page_size']": {"page_size": 0},
        "'abc' is not of type 'integer', 'null' in config['max_tries']": {"max_tries": "abc"},
        "'nope' is not one of ['created_at', 'updated_at'] in config['replication_key']": {
            "replication_key": "nope"
        },
    }
    catalog = configured(discovered(tmp_path, valid))
    for expected, extra in cases.items():
        config = valid | extra
        checked = run("source-lexful", "check", "--config", write_json(tmp_path / "c.json", config))
        (status,) = checked.of(Type.CONNECTION_STATUS)
        assert status.connectionStatus is not None
        assert status.connectionStatus.status.value == "FAILED", expected
        assert status.connectionStatus.message == expected
        refused = read(tmp_path, config, catalog)
        assert refused.code == 1
        assert not refused.records()
        traces = [m.trace.error for m in refused.of(Type.TRACE) if m.trace and m.trace.error]
        assert [trace.message for trace in traces] == [expected]
        assert [trace.failure_type.value for trace in traces if trace.failure_type] == [
            "config_error"
        ]


def test_discover_maps_each_singer_stream(airbyte_demo: Sandbox, tmp_path: Path) -> None:
    catalog = discovered(tmp_path, airbyte_demo.config)
    streams = {stream["name"]: stream for stream in catalog["streams"]}
    assert {"organizations", "system_contact", "users", *FULL_TABLE} <= set(streams)
    for name, stream in streams.items():
        if name in FULL_TABLE:
            assert stream["supported_sync_modes"] == ["full_refresh"], name
            assert "default_cursor_field" not in stream
        else:
            assert stream["supported_sync_modes"] == ["full_refresh", "incremental"], name
            assert stream["source_defined_cursor"] is True
            assert stream["default_cursor_field"] == ["created_at"]
        assert stream["json_schema"]["type"] == "object"
    assert streams["organizations"]["source_defined_primary_key"] == [["id"]]
    keys = streams["related_assets"]["source_defined_primary_key"]
    assert keys == [["asset_id"], ["related_asset_id"]]


def test_read_emits_what_the_tap_emits_with_states_and_statuses(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    config = airbyte_demo.config
    catalog = configured(discovered(tmp_path, config))  # incremental asked of every stream
    result = read(tmp_path, config, catalog)
    assert result.code == 0, result.stderr
    records = result.records()
    assert records == tap_records(tmp_path, config)
    assert sum(records.values()) > 600
    assert_statuses_frame_each_stream(result, [s["stream"]["name"] for s in catalog["streams"]])
    states = result.stream_states()
    assert {s["type"] for s in states} == {"STREAM"}
    for stream, count in records.items():
        mine = [s for s in states if s["stream"]["stream_descriptor"]["name"] == stream]
        # Each state counts the records of its stream since the one before: all of them.
        assert sum(s["sourceStats"]["recordCount"] for s in mine) == count, stream
    assert any("done:" in (m.log.message if m.log else "") for m in result.of(Type.LOG))


def assert_statuses_frame_each_stream(result: Run, streams: list[str]) -> None:
    """STARTED, RUNNING, COMPLETE once each per stream, around the stream's records."""
    position: dict[tuple[str, str], int] = {}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for index, message in enumerate(result.messages):
        if message.type == Type.RECORD and message.record is not None:
            first.setdefault(message.record.stream, index)
            last[message.record.stream] = index
        elif message.trace is not None and message.trace.stream_status is not None:
            status = message.trace.stream_status
            key = (status.stream_descriptor.name, status.status.value)
            assert key not in position, f"{key} twice"
            position[key] = index
    for stream in streams:
        started, running = position[stream, "STARTED"], position[stream, "RUNNING"]
        complete = position[stream, "COMPLETE"]
        assert started < running < complete, stream
        assert started < first.get(stream, complete)
        assert last.get(stream, started) < complete


def test_a_second_read_from_the_states_brings_only_what_is_new(tmp_path: Path) -> None:
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        catalog = configured(discovered(tmp_path, config))
        first = read(tmp_path, config, catalog)
        assert first.code == 0, first.stderr
        client = client_for(config)
        organization = create_organization(client, "Arrived After The First Read")
        create_asset(
            client,
            "system.contact",
            organization["id"],
            first_name="New",
            last_name="One",
            important=False,
        )

        second = read(tmp_path, config, catalog, last_states(first))

        assert second.code == 0, second.stderr
        # The full-table streams come in full (related_assets and files too: the all-parents
        # pass); the rest, what is new.
        expected = {s: first.records()[s] for s in FULL_TABLE if s != "asset_counts"}
        # asset_counts too: one count more, the new organization's.
        expected["asset_counts"] = first.records()["asset_counts"] + 1
        assert second.records() == expected | {"organizations": 1, "system_contact": 1}
        # And asked for a full refresh, an incremental stream comes in full again.
        full = configured(discovered(tmp_path, config), "full_refresh", {"organizations"})
        again = read(tmp_path, config, full, last_states(second))
        total = contract.list_total(client.get_json("/v1/organizations", {"limit": 1}))
        assert again.records() == {"organizations": total}


def test_a_failing_tap_ends_every_stream_incomplete_with_an_error_trace(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    catalog = configured(discovered(tmp_path, airbyte_demo.config))
    refused = airbyte_demo.config | {"api_key_secret": "lxs_wrong"}
    result = read(tmp_path, refused, catalog)
    assert result.code == 1
    statuses = result.statuses()
    assert sorted(statuses) == sorted(
        (s["stream"]["name"], "INCOMPLETE") for s in catalog["streams"]
    )
    errors = [m.trace.error for m in result.of(Type.TRACE) if m.trace and m.trace.error]
    (error,) = errors
    assert error.message.startswith("api_key_id/api_key_secret:")
    assert error.failure_type is not None
    assert error.failure_type.value == "config_error"


def test_read_without_the_cdk_starts_the_run_the_cdk_would_start(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    """The console script reads without airbyte-cdk from the same inputs the CDK's models
    give ``SourceLexful.read``; any other command, or files it cannot take, go to the CDK."""
    config = airbyte_demo.config
    catalog = configured(discovered(tmp_path, config), names={"organizations", "files"})
    state = [
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "organizations"},
                "stream_state": {"replication_key": "created_at", "replication_key_value": "x"},
            },
        }
    ]
    paths = [write_json(tmp_path / f"{n}.json", c) for n, c in (("c", config), ("k", catalog))]
    state_path = write_json(tmp_path / "s.json", state)
    models = ConfiguredAirbyteCatalogSerializer.dump(Source.read_catalog(paths[1]))
    states = [AirbyteStateMessageSerializer.dump(s) for s in Source.read_state(state_path)]
    from_models = tap_inputs(config, models, states)
    args = ["read", "--config", paths[0], "--catalog", paths[1], "--state", state_path]
    assert cli._read_inputs(args) == (from_models, catalog)
    assert from_models.state == {"bookmarks": {"organizations": state[0]["stream"]["stream_state"]}}
    assert cli._read_inputs(["discover", "--config", paths[0]]) is None
    without_mode = {
        "streams": [{k: v for k, v in catalog["streams"][0].items() if k != "sync_mode"}]
    }
    bad_path = write_json(tmp_path / "bad.json", without_mode)
    assert cli._read_inputs(["read", "--config", paths[0], "--catalog", bad_path]) is None


def test_a_read_never_imports_the_cdk_and_a_bad_catalog_goes_to_it(
    airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    config = write_json(tmp_path / "config.json", airbyte_demo.config)
    catalog = configured(discovered(tmp_path, airbyte_demo.config), names={"organizations"})
    good = write_json(tmp_path / "catalog.json", catalog)
    probe = (
        "import sys; from airbyte_lexful import cli; sys.argv[1:] = sys.argv[2:]\n"
        "try: cli.source_main()\n"
        "except SystemExit as e:\n"
        "    print(f'exit={e.code}', 'airbyte_cdk' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "-", "read", "--config", config, "--catalog", good],
        capture_output=True,
        check=False,
    )
    assert done.stderr.decode().endswith("exit=0 False\n"), done.stderr[-2000:]
    assert sum(1 for line in done.stdout.splitlines() if b'"RECORD"' in line) > 0

    bad = write_json(tmp_path / "bad.json", {"streams": [{"stream": catalog["streams"][0]}]})
    result = read_files(config, bad)
    assert result.code != 0
    errors = [m.trace.error for m in result.of(Type.TRACE) if m.trace and m.trace.error]
    assert errors, result.stderr[-2000:]


def read_files(config: str, catalog: str) -> Run:
    return run("source-lexful", "read", "--config", config, "--catalog", catalog)


def test_a_one_line_stop_is_a_config_error_naming_the_setting(tmp_path: Path) -> None:
    """Under a one-key sort the deletes pass cannot be ordered: tap-lexful stops in one line
    that names the setting (no SDK "Config validation failed" after it), and the adapter
    still tells Airbyte a setting is at fault."""
    with running_sandbox(seed="demo", variants=["single-sort"], subprocess=True) as sandbox:
        config = sandbox.config | {"emit_deletes": True}
        catalog = configured(discovered(tmp_path, sandbox.config | {"emit_deletes": False}))
        result = read(tmp_path, config, catalog)
        writes = sandbox.stats()["writes"]
    assert result.code == 1
    assert not result.records()
    errors = [m.trace.error for m in result.of(Type.TRACE) if m.trace and m.trace.error]
    (error,) = errors
    assert "set emit_deletes: false" in error.message
    assert error.failure_type is not None
    assert error.failure_type.value == "config_error"
    assert writes == 0
