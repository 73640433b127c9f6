"""meltano.yml declares every setting each plugin's --about lists (the SDK's built-ins
included), with a matching kind, generated from --about; Meltano then stores them typed and
passes their environment variables on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.pipeline import meltano_bin

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ["tap-lexful", "target-lexful", "tap-lightfield", "target-lightfield"]
KINDS = {
    "string": {"string", "password", "options", "date_iso8601"},
    "integer": {"integer"},
    "number": {"decimal"},
    "boolean": {"boolean"},
    "array": {"array"},
    "object": {"object"},
}
# What a Singer SDK plugin accepts besides its own settings, as the issue found them missing.
SDK_BUILTINS = {"stream_maps", "stream_map_config", "flattening_enabled", "flattening_max_depth"}


def about(plugin: str) -> dict:
    command = [str(Path(sys.executable).parent / plugin), "--about", "--format", "json"]
    return json.loads(subprocess.run(command, capture_output=True, check=True).stdout)


def declared(plugin: str) -> dict[str, dict]:
    loaded = yaml.safe_load((ROOT / "meltano.yml").read_text())
    plugins = [p for kind in loaded["plugins"].values() for p in kind]
    entry = next(p for p in plugins if p["name"] == plugin)
    return {setting["name"]: setting for setting in entry["settings"]}


def test_meltano_yml_settings_are_generated_from_about() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "meltano_settings.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("plugin", PLUGINS)
def test_every_setting_is_declared_with_its_kind(plugin: str) -> None:
    properties = about(plugin)["settings"]["properties"]
    settings = declared(plugin)
    assert properties.keys() >= SDK_BUILTINS
    for name, schema in properties.items():
        assert name in settings, f"{plugin}: setting {name} missing from meltano.yml"
        json_type = next(t for t in schema["type"] if t != "null")
        kind = settings[name].get("kind", "string")
        assert kind in KINDS[json_type], f"{plugin}: {name} is {json_type} but kind {kind}"
        if schema.get("secret"):
            assert settings[name].get("sensitive") is True, f"{plugin}: {name} not sensitive"
        if "enum" in schema:
            options = [option["value"] for option in settings[name]["options"]]
            assert options == schema["enum"], f"{plugin}: {name} options"
    unknown = settings.keys() - properties.keys()
    assert not unknown, f"{plugin}: meltano.yml declares settings the plugin lacks: {unknown}"


@pytest.mark.meltano
def test_meltano_stores_sdk_settings_typed_and_passes_their_variables(tmp_path: Path) -> None:
    """`meltano config set tap-lexful flattening_enabled true` stores a boolean, and
    TAP_LEXFUL_STREAM_MAPS reaches the tap's config (Meltano drops an undeclared one)."""
    shutil.copy(ROOT / "meltano.yml", tmp_path / "meltano.yml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env |= {"MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def meltano(*args: str, **extra: str) -> str:
        done = subprocess.run(
            [meltano_bin(), *args],
            cwd=tmp_path,
            env=env | extra,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    meltano("config", "set", "tap-lexful", "flattening_enabled", "true")
    meltano("config", "set", "tap-lexful", "flattening_max_depth", "2")
    stored = yaml.safe_load((tmp_path / "meltano.yml").read_text())
    (tap,) = [p for p in stored["plugins"]["extractors"] if p["name"] == "tap-lexful"]
    assert tap["config"] == {"flattening_enabled": True, "flattening_max_depth": 2}

    maps = {"users": None, "organizations": {"name_upper": "name.upper()"}}
    printed = meltano(
        "config",
        "print",
        "tap-lexful",
        "--format",
        "json",
        TAP_LEXFUL_STREAM_MAPS=json.dumps(maps),
        TAP_LEXFUL_STREAM_MAP_CONFIG='{"salt": "x"}',
    )
    config = json.loads(printed)
    assert config["stream_maps"] == maps
    assert config["stream_map_config"] == {"salt": "x"}
    assert config["flattening_enabled"] is True
    assert config["flattening_max_depth"] == 2
