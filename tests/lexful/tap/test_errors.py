"""Bad settings and refused credentials: one clear line, before any data is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tests.lexful.tap.helpers import discover, sync, tap_config

TAP = str(Path(sys.executable).with_name("tap-lexful"))
FILES_DIR_NOPE = {"files_content": "directory", "files_dir": "/proc/nope"}  # cannot be made
BAD_MAP = {"stream_maps": {"system_contact": {"__filter__": "important ==="}}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"api_key_secret": "lxs_wrong"}, "api_key_id/api_key_secret"),
        ({"api_key_id": "lxk_unknown"}, "api_key_id/api_key_secret"),
        ({"asset_types": ["system.contact", "no_such_type"]}, "asset_types: unknown"),
        ({"filters": {"system_contact": {"important[bogus]": "1"}}}, "filters.system_contact"),
        ({"filters": {"system_contact": {"a b": "1"}}}, "filters.system_contact"),
        ({"filters": {"no_such_stream": {"x": "1"}}}, "filters: no stream"),
        ({"filters": {"system_contact": {"shoe_size[gt]": "1"}}}, "has no field 'shoe_size'"),
        ({"files_content": "directory"}, "files_dir"),
        ({"start_date": "yesterday"}, "start_date: 'yesterday' is not an ISO-8601"),
        ({"organization_ids": ["not-a-uuid"]}, "organization_ids: 'not-a-uuid' is not a UUID"),
        (
            {"organization_ids": ["0190a3b1-0000-7000-8000-000000000000"]},
            "organization_ids: no organization of the account has the id(s)",
        ),
        # A filter on the asset types would remove whole asset streams.
        ({"filters": {"asset_types": {"is_system": False}}}, "filters.asset_types: refused"),
        # The link's source asset is the parent: a filter would address the linked one.
        ({"filters": {"related_assets": {"asset_type": "system.contact"}}}, "source asset"),
        ({"filters": {"related_assets": {"asset_id[eq]": None}}}, "source asset"),
        ({"filters": {"files": {"asset_type": "system.contact"}}}, "made by the tap"),
        ({"filters": {"files": {"sha256": "00"}}}, "made by the tap"),
        ({"filters": {"users": {"all_accounts": True}}}, "from the API's 'account_scopes'"),
        ({"filters": {"system_contact": {"title": {"a": 1}}}}, "a value is a string"),
        ({"flattening_enabled": True}, "flattening_enabled: true needs flattening_max_depth"),
    ],
)
def test_bad_setting_fails_first(demo_sandbox: Any, overrides: dict, message: str) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        sync(tap_config(demo_sandbox.config, **overrides))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_wrong_account_is_refused(demo_sandbox: Any) -> None:
    other = demo_sandbox.new_account()
    with pytest.raises(ConfigValidationError, match="account_id"):
        sync(tap_config(demo_sandbox.config, account_id=other["account_id"]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"asset_types": ["nope"]}, "asset_types: unknown"),
        ({"start_date": "yesterday"}, "start_date: 'yesterday'"),
        ({"filters": {"related_assets": {"asset_type": "system.contact"}}}, "related_assets"),
        # Were a traceback at the first file (after records), at the start of the sync.
        (FILES_DIR_NOPE, "files_dir: '/proc/nope' cannot be created or written"),
        (BAD_MAP, "stream_maps: Failed to parse expression important ===."),
    ],
)
def test_cli_error_is_one_line_and_writes_nothing(
    demo_sandbox: Any, tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(demo_sandbox.config, **overrides)))
    done = subprocess.run(
        [TAP, "--config", str(config)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert '"type":"RECORD"' not in done.stdout.replace(" ", "")
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if message in line]
    assert errors, done.stderr[-2000:]
    assert demo_sandbox.config["api_key_secret"] not in done.stderr


def test_server_error_names_stream_and_request(own_sandbox: Any) -> None:
    own_sandbox.set_faults(error_rate=1.0)
    config = tap_config(own_sandbox.config, max_tries=2)
    with pytest.raises(Exception, match=r"^Stream '\w+': (GET|POST) /v1/\S+ -> 5\d\d") as caught:
        sync(config)
    assert "lxt." not in str(caught.value)


def test_timeouts_end_in_a_clear_error(own_sandbox: Any) -> None:
    own_sandbox.set_faults(latency_ms=300)
    config = tap_config(own_sandbox.config, max_tries=2, request_timeout_seconds=0.05)
    with pytest.raises(Exception, match=r"^Stream '\w+': POST /v1/auth/token failed after 2 tries"):
        sync(config)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (FILES_DIR_NOPE, "files_dir: '/proc/nope' cannot be created or written"),
        (BAD_MAP, "stream_maps: Failed to parse expression important ===."),
        ({"stream_maps": {"system_contact": {"x": "1 +"}}}, "stream_maps: Failed to parse"),
        # Parse, then failed at a read's first record naming neither setting nor stream.
        (
            {"stream_maps": {"system_location": {"x": "nosuchfield + 1"}}},
            "stream_maps.system_location.x: 'nosuchfield + 1' uses 'nosuchfield'",
        ),
        (
            {"stream_maps": {"system_contact": {"__filter__": "nosuch == 1"}}},
            "stream_maps.system_contact.__filter__: 'nosuch == 1' uses 'nosuch'",
        ),
        (
            {"stream_maps": {"system_contact": {"y": "undefined_func(name)"}}},
            "stream_maps.system_contact.y: 'undefined_func(name)' uses 'undefined_func'",
        ),
        (
            {"stream_maps": {"people": {"__source__": "system_*", "y": "md5(nope)"}}},
            "stream_maps.people.y (stream system_",
        ),
        (
            {"flattening_enabled": True},
            "flattening_enabled: true needs flattening_max_depth",
        ),
    ],
)
def test_discovery_refuses_what_a_sync_refuses(
    demo_sandbox: Any, tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    """What a sync refuses at its start, discovery refuses too: source-lexful's check and
    Meltano's discovery run it, and would otherwise pass a config every run then refuses."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(demo_sandbox.config, **overrides)))
    done = subprocess.run(
        [TAP, "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert '"streams"' not in done.stdout
    assert message in done.stderr.splitlines()[-1], done.stderr[-2000:]


def test_stream_maps_names_the_stream_maps_provide_pass(demo_sandbox: Any) -> None:
    """Record fields, the mapper's names and functions, comprehension variables: no refusal."""
    maps = {
        "system_contact": {
            "a": "md5(str(name)) + __stream_name__ + str(config.get('k'))",
            "b": "[x for x in [1, 2] if x]",
            "c": "record.get('name')",
            "d": "self",
            "__filter__": "_['id'] is not None",
        }
    }
    catalog = discover(tap_config(demo_sandbox.config, stream_maps=maps))
    assert "system_contact" in {s["tap_stream_id"] for s in catalog["streams"]}


def test_a_bad_stream_map_with_a_catalog_is_one_line(demo_sandbox: Any, tmp_path: Path) -> None:
    """With a catalog (as Meltano and source-lexful run it) the SDK builds the maps before
    any discovery: still the setting's one line, not MapExpressionError's traceback."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(discover(tap_config(demo_sandbox.config))))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(demo_sandbox.config, **BAD_MAP)))
    done = subprocess.run(
        [TAP, "--config", str(config), "--catalog", str(catalog)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert '"type":"RECORD"' not in done.stdout.replace(" ", "")
    errors = [line for line in done.stderr.splitlines() if "| ERROR " in line]
    assert [e.split(" | ")[-1] for e in errors] == [
        "stream_maps: Failed to parse expression important ===.",
        "Config validation failed",
    ]
