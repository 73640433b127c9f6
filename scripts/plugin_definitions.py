"""Write Meltano plugin definition files (plugins/<type>s/<name>.yml) from each plugin's --about.

An existing Meltano project adds a plugin from its file, with no YAML copied:

    meltano add --plugin-type extractor --from-ref plugins/extractors/tap-lexful.yml tap-lexful

(the type as ``--plugin-type``: Meltano 4 takes a bare ``extractor`` for a plugin's name).

Each file is Meltano's plugin definition format (what Meltano Hub serves): the name,
namespace, pip_url, executable, capabilities, the required settings as
settings_group_validation, and every setting --about lists with its kind, label, default
value and description, the secrets marked sensitive. `python scripts/plugin_definitions.py`
(`make plugin-definitions`) rewrites them; `--check` fails when one differs from what the
plugins print now (tests/test_plugin_definitions.py runs that).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from connector_core import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
# The distribution the four console scripts come from (pyproject.toml's name).
PIP_URL = DISTRIBUTION
PLUGINS = {
    "tap-lexful": ("extractors", "Lexful"),
    "target-lexful": ("loaders", "Lexful"),
    "tap-lightfield": ("extractors", "Lightfield"),
    "target-lightfield": ("loaders", "Lightfield"),
}
HEADER = (
    "# Meltano plugin definition, written by scripts/plugin_definitions.py from `{name} --about`"
    "\n# (make plugin-definitions; a test keeps them equal). In a Meltano project:\n"
    "#   meltano add --plugin-type {kind} --from-ref <this file or its URL> {name}\n"
)
JSON_KINDS = {
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}


def about(plugin: str) -> dict[str, Any]:
    command = [str(Path(sys.executable).parent / plugin), "--about", "--format", "json"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def kind(schema: dict[str, Any]) -> str:
    """Meltano's kind for a setting's JSON schema (a secret is a string marked sensitive:
    Meltano 3 and 4 read the older `kind: password` as just that)."""
    if "enum" in schema:
        return "options"
    types = schema.get("type", "string")
    json_type = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
    if json_type == "string" and schema.get("format") == "date-time":
        return "date_iso8601"
    return JSON_KINDS.get(json_type, "string")


def setting(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name}
    if "title" in schema:
        entry["label"] = schema["title"]
    entry["kind"] = kind(schema)
    if "description" in schema:
        entry["description"] = schema["description"]
    if "enum" in schema:
        entry["options"] = [{"label": str(v), "value": v} for v in schema["enum"]]
    if "default" in schema:
        entry["value"] = schema["default"]
    if schema.get("secret"):
        entry["sensitive"] = True
    return entry


def definition(plugin: str) -> dict[str, Any]:
    info = about(plugin)
    label = PLUGINS[plugin][1]
    settings = info["settings"]
    result: dict[str, Any] = {
        "name": plugin,
        "namespace": plugin.replace("-", "_"),
        "label": label,
        "description": info["description"],
        "pip_url": PIP_URL,
        "executable": plugin,
        "capabilities": info["capabilities"],
    }
    if settings.get("required"):
        result["settings_group_validation"] = [settings["required"]]
    result["settings"] = [setting(n, s) for n, s in settings["properties"].items()]
    return result


def path(plugin: str) -> Path:
    return ROOT / "plugins" / PLUGINS[plugin][0] / f"{plugin}.yml"


def render(plugin: str) -> str:
    kind_of_plugin = PLUGINS[plugin][0].removesuffix("s")
    body = yaml.safe_dump(definition(plugin), sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(name=plugin, kind=kind_of_plugin) + body


def main() -> int:
    stale = []
    for plugin in PLUGINS:
        wanted, file = render(plugin), path(plugin)
        if "--check" in sys.argv:
            if not file.exists() or file.read_text() != wanted:
                stale.append(str(file.relative_to(ROOT)))
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(wanted)
    if stale:
        print(f"{', '.join(stale)} differ from --about: run make plugin-definitions")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
