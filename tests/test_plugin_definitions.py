"""plugins/<type>s/<name>.yml, the Meltano plugin definitions, are what --about prints now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


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
