"""Write each plugin's `settings:` in meltano.yml from its `--about --format json`.

Every setting a plugin accepts, the Singer SDK's built-ins included (stream_maps,
flattening_enabled, batch_config, load_method, ...), is declared to Meltano with its kind, so
that `meltano config set` stores it typed and its environment variable (TAP_LEXFUL_STREAM_MAPS)
reaches the plugin: Meltano passes on only the settings it knows. The declarations come from
the plugin's own settings schema, as the README's tables do; nothing is written twice.

`python scripts/meltano_settings.py` rewrites them; `--check` fails when they are stale (the
test suite runs that).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MELTANO_YML = ROOT / "meltano.yml"
PLUGINS = ("tap-lexful", "target-lexful", "tap-lightfield", "target-lightfield")
KINDS = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}
INDENT = " " * 4  # a plugin's keys in meltano.yml


def about(plugin: str) -> dict[str, Any]:
    command = [str(Path(sys.executable).parent / plugin), "--about", "--format", "json"]
    done = subprocess.run(command, capture_output=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def kind(schema: dict[str, Any]) -> str:
    """The Meltano kind of a setting's JSON schema."""
    types = schema.get("type") or ["string"]
    json_type = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
    if schema.get("secret"):
        return "password"
    if "enum" in schema:
        return "options"
    if json_type == "string" and schema.get("format") == "date-time":
        return "date_iso8601"
    return KINDS[json_type]


def setting(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One setting of meltano.yml, from its JSON schema in --about."""
    entry: dict[str, Any] = {"name": name}
    if "title" in schema:
        entry["label"] = schema["title"]
    if "description" in schema:
        entry["description"] = schema["description"]
    entry["kind"] = kind(schema)
    if entry["kind"] == "options":
        entry["options"] = [{"label": value, "value": value} for value in schema["enum"]]
    if schema.get("default") is not None:
        entry["value"] = schema["default"]
    if schema.get("secret"):
        entry["sensitive"] = True
    return entry


def settings(plugin: str) -> list[dict[str, Any]]:
    properties = about(plugin)["settings"]["properties"]
    return [setting(name, schema) for name, schema in properties.items()]


def settings_block(plugin: str) -> str:
    text = yaml.safe_dump(
        settings(plugin),
        sort_keys=False,
        width=10_000,
        allow_unicode=True,
        default_flow_style=False,
    )
    lines = [f"{INDENT}settings:  # generated from --about: scripts/meltano_settings.py"]
    lines += [f"{INDENT}{line}" if line else line for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def replace_settings(text: str, plugin: str, block: str) -> str:
    """``text`` with the ``settings:`` of ``plugin``'s entry replaced by ``block``."""
    start = re.search(rf"^  - name: {re.escape(plugin)}\n", text, re.MULTILINE)
    if start is None:
        msg = f"meltano.yml has no plugin {plugin}"
        raise SystemExit(msg)
    settings_at = re.compile(rf"^{INDENT}settings:.*\n", re.MULTILINE).search(text, start.end())
    next_plugin = re.compile(r"^  - name: ", re.MULTILINE).search(text, start.end())
    if settings_at is None or (next_plugin and settings_at.start() > next_plugin.start()):
        msg = f"meltano.yml: {plugin} has no settings: key"
        raise SystemExit(msg)
    # The list goes on while its lines are deeper than the plugin's keys, or are its items.
    end = settings_at.end()
    for line in text[end:].splitlines(keepends=True):
        if line.strip() and not line.startswith((f"{INDENT}- ", f"{INDENT}  ")):
            break
        end += len(line)
    body = text[settings_at.end() : end]
    trailing = body[len(body.rstrip("\n")) + 1 :] if body.endswith("\n\n") else ""
    return text[: settings_at.start()] + block + trailing + text[end:]


def render(text: str) -> str:
    for plugin in PLUGINS:
        text = replace_settings(text, plugin, settings_block(plugin))
    return text


def main() -> int:
    current = MELTANO_YML.read_text()
    wanted = render(current)
    if "--check" in sys.argv:
        if wanted != current:
            print("meltano.yml settings differ from --about: run scripts/meltano_settings.py")
            return 1
        return 0
    MELTANO_YML.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
