"""Run the connectors as a user does: as commands, through a pipe or through Meltano."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config))
    return path


def tap_into_target(
    tmp: Path,
    tap_config: dict[str, Any],
    target_config: dict[str, Any],
    state: dict[str, Any] | None = None,
) -> str:
    """`tap-lexful --config a [--state s] | target-lexful --config b`; returns the target's
    stdout (STATE)."""
    tap_cfg = write_config(tmp / "tap.json", tap_config)
    target_cfg = write_config(tmp / "target.json", target_config)
    state_args = ["--state", write_config(tmp / "state.json", state)] if state else []
    with (tmp / "tap.log").open("wb") as tap_log, (tmp / "target.log").open("wb") as target_log:
        tap = subprocess.Popen(
            [BIN / "tap-lexful", "--config", tap_cfg, *state_args],
            stdout=subprocess.PIPE,
            stderr=tap_log,
        )
        target = subprocess.run(
            [BIN / "target-lexful", "--config", target_cfg],
            stdin=tap.stdout,
            capture_output=True,
            check=False,
        )
        assert tap.stdout is not None
        tap.stdout.close()
        tap_rc = tap.wait(timeout=600)
        target_log.write(target.stderr)
    logs = f"tap log: {tmp / 'tap.log'}, target log: {tmp / 'target.log'}"
    assert tap_rc == 0, f"tap-lexful failed ({logs}):\n{(tmp / 'tap.log').read_text()[-3000:]}"
    assert target.returncode == 0, (
        f"target-lexful failed ({logs}):\n{target.stderr.decode()[-3000:]}"
    )
    return target.stdout.decode()


def meltano_bin() -> str:
    path = os.environ.get("MELTANO_BIN", str(ROOT / ".venv-meltano" / "bin" / "meltano"))
    assert Path(path).exists(), f"Meltano is not installed at {path}: run `make meltano` first"
    return path


def meltano_env(
    source: dict[str, str], target: dict[str, str] | None, **extra: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env |= {
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "LEXFUL_API_URL": source["api_url"],
        "LEXFUL_ACCOUNT_ID": source["account_id"],
        "LEXFUL_API_KEY_ID": source["api_key_id"],
        "LEXFUL_API_KEY_SECRET": source["api_key_secret"],
    }
    if target:
        env |= {
            "LEXFUL_TARGET_API_URL": target["api_url"],
            "LEXFUL_TARGET_ACCOUNT_ID": target["account_id"],
            "LEXFUL_TARGET_API_KEY_ID": target["api_key_id"],
            "LEXFUL_TARGET_API_KEY_SECRET": target["api_key_secret"],
        }
    return env | extra


def meltano(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [meltano_bin(), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"meltano {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


def lightfield_env(
    source: dict[str, str], target: dict[str, str] | None, **extra: str
) -> dict[str, str]:
    """The environment of `meltano run tap-lightfield target-lightfield` in the sandbox
    environment of meltano.yml: each side's {api_url, api_key} as its variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env |= {
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "LIGHTFIELD_API_URL": source["api_url"],
        "LIGHTFIELD_API_KEY": source["api_key"],
    }
    if target:
        env |= {
            "LIGHTFIELD_TARGET_API_URL": target["api_url"],
            "LIGHTFIELD_TARGET_API_KEY": target["api_key"],
        }
    return env | extra
