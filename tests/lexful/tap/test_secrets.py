"""The key secret, the bearer token and presigned signatures never reach output or logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.lexful.tap.helpers import populate, tap_config

TAP = str(Path(sys.executable).with_name("tap-lexful"))
TOKEN_PREFIX = "lxt."  # how the sandbox's tokens start
SIGNATURE = "X-Signature"  # the presigned URLs' signature parameter


def test_no_secret_in_output_or_logs(own_sandbox: Any, tmp_path: Path) -> None:
    populate(own_sandbox.config, organizations=4, assets=9)
    own_sandbox.set_faults(error_rate=0.1, drop_rate=0.05)
    config = tap_config(own_sandbox.config, files_content="inline")
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        [TAP, "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "LOGLEVEL": "DEBUG"},  # the most verbose logs, urllib3's included
    )
    everything = done.stdout + done.stderr
    assert '"content_base64"' in done.stdout  # files were downloaded through presigned URLs
    assert "_storage" in done.stderr  # and urllib3 logged those requests
    assert config["api_key_secret"] not in everything
    assert TOKEN_PREFIX not in everything
    assert SIGNATURE not in everything
    assert "Bearer" not in everything


def test_no_secret_in_state_or_errors(own_sandbox: Any, tmp_path: Path) -> None:
    own_sandbox.set_faults(error_rate=1.0)
    config = tap_config(own_sandbox.config, max_tries=2)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        [TAP, "--config", str(config_path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert config["api_key_secret"] not in done.stdout + done.stderr
    assert TOKEN_PREFIX not in done.stdout + done.stderr
