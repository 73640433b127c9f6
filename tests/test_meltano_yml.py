"""meltano.yml declares every setting each plugin's --about lists, with a matching kind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.lexful import SDK_TARGET_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
# Settings every SDK plugin has; Meltano knows them from the capabilities.
SDK_BUILTIN = SDK_TARGET_SETTINGS | {"batch_config"}
KINDS = {
    "string": {"string", "password", "options", "date_iso8601"},
    "integer": {"integer"},
    "number": {"decimal"},
    "boolean": {"boolean"},
    "array": {"array"},
    "object": {"object"},
}


def about(plugin: str) -> dict:
    command = [str(Path(sys.executable).parent / plugin), "--about", "--format", "json"]
    return json.loads(subprocess.run(command, capture_output=True, check=True).stdout)


def declared(plugin: str) -> dict[str, dict]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    plugins = [p for kind in project["plugins"].values() for p in kind]
    entry = next(p for p in plugins if p["name"] == plugin)
    return {setting["name"]: setting for setting in entry["settings"]}


@pytest.mark.parametrize(
    "plugin", ["tap-lexful", "target-lexful", "tap-lightfield", "target-lightfield"]
)
def test_every_setting_is_declared_with_its_kind(plugin: str) -> None:
    properties = about(plugin)["settings"]["properties"]
    settings = declared(plugin)
    for name, schema in properties.items():
        if name in SDK_BUILTIN:
            continue
        assert name in settings, f"{plugin}: setting {name} missing from meltano.yml"
        json_type = next(t for t in schema["type"] if t != "null")
        kind = settings[name].get("kind", "string")
        assert kind in KINDS[json_type], f"{plugin}: {name} is {json_type} but kind {kind}"
        if schema.get("secret"):
            assert settings[name].get("sensitive") is True, f"{plugin}: {name} not sensitive"
    unknown = settings.keys() - properties.keys()
    assert not unknown, f"{plugin}: meltano.yml declares settings the plugin lacks: {unknown}"
