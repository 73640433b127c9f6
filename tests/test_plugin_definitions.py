"""plugins/<type>s/<name>.yml, the Meltano plugin definitions, are what --about prints now."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = {
    "tap-lexful": ("extractors", "Lexful"),
    "target-lexful": ("loaders", "Lexful"),
    "tap-lightfield": ("extractors", "Lightfield"),
    "target-lightfield": ("loaders", "Lightfield"),
}


def test_plugin_definitions_match_about() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "plugin_definitions.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_secret_is_marked_sensitive() -> None:
    secrets = {"tap-lexful": "api_key_secret", "target-lexful": "api_key_secret"}
    secrets |= {"tap-lightfield": "api_key", "target-lightfield": "api_key"}
    for plugin, secret in secrets.items():
        kind = "extractors" if plugin.startswith("tap-") else "loaders"
        definition = yaml.safe_load((ROOT / "plugins" / kind / f"{plugin}.yml").read_text())
        settings = {s["name"]: s for s in definition["settings"]}
        assert settings[secret].get("sensitive") is True, f"{plugin}: {secret}"
        # proxy_url: a proxy URL may hold the proxy's password.
        expected = [settings[secret], settings["proxy_url"]]
        assert [s for s in settings.values() if s.get("sensitive")] == expected


def test_each_file_tells_the_meltano_4_form_of_add() -> None:
    """The header's command gives the type as --plugin-type: Meltano 4 reads the older
    ``--from-ref <file> extractor tap-x`` as two plugins (README, Meltano plugins)."""
    for plugin, (kind, _label) in PLUGINS.items():
        text = (ROOT / "plugins" / kind / f"{plugin}.yml").read_text()
        command = next(x for x in text.splitlines() if "meltano add" in x)
        words = command.lstrip("# ").split()
        assert words[:4] == ["meltano", "add", "--plugin-type", kind.removesuffix("s")], command
        assert words[-1] == plugin, command
        assert "--from-ref" in words, command


def test_version_is_the_installed_package() -> None:
    """``--version`` of every plugin names the distribution's version, as tap-lexful's does."""
    for plugin in PLUGINS:
        done = subprocess.run(
            [str(Path(sys.executable).with_name(plugin)), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        installed = version("lexful-lightfield-connectors")
        assert done.stdout.startswith(f"{plugin} v{installed},"), done.stdout
