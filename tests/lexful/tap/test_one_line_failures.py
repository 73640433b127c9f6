"""The API's known failures on the command line: one ERROR line, exit 1, no traceback.

tap-lexful and tap-lightfield pointed at nothing (a closed port) or at a web server (its HTML
501 to the token call) say it in one line, as the probes do (``known_failures`` of
``connector_core.stops``). An ``api_url`` carrying ``user:password@`` is a settings error at
startup in every plugin of both APIs: one line naming ``api_url`` (the user info masked),
through the SDK's config-error path.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from connector_core import STOP_PREFIX

LEXFUL = {"account_id": "acct-x", "api_key_id": "lxk_x", "api_key_secret": "lxs_secret_x"}
LIGHTFIELD = {"api_key": "sk_secret_x"}
QUICK = {"max_tries": 2, "backoff_base_seconds": 0, "request_timeout_seconds": 5}
PLUGINS = {
    "tap-lexful": ("tap_lexful.tap", LEXFUL),
    "tap-lightfield": ("tap_lightfield.tap", LIGHTFIELD),
    "target-lexful": ("target_lexful.target", LEXFUL),
    "target-lightfield": ("target_lightfield.target", LIGHTFIELD),
}


#: What a target reads: one organization, so that it writes (and needs its token).
ORGANIZATION = [
    {
        "type": "SCHEMA",
        "stream": "organizations",
        "schema": {"properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
        "key_properties": ["id"],
    },
    {"type": "RECORD", "stream": "organizations", "record": {"id": "o-1", "name": "One"}},
]


def _run(
    module: str, config: dict[str, object], tmp_path: Path, lines: str = ""
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", module, "--config", str(path)],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return [line for line in done.stderr.splitlines() if " | ERROR " in line]


@contextmanager
def web_server() -> Iterator[str]:
    """A web server, not the API: Python's own, which answers a POST with an HTML 501."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("plugin", ["tap-lexful", "tap-lightfield", "target-lexful"])
def test_no_api_at_api_url_is_one_error_line(plugin: str, tmp_path: Path) -> None:
    module, credentials = PLUGINS[plugin]
    config = {**credentials, **QUICK, "api_url": "http://127.0.0.1:1"}
    lines = "".join(json.dumps(m) + "\n" for m in ORGANIZATION) if "target" in plugin else ""
    done = _run(module, config, tmp_path, lines)
    assert done.returncode == 1
    errors = _errors(done)
    assert len(errors) == 1, done.stderr[-3000:]
    assert "ConnectionError" in errors[0]
    assert "failed after 2 tries" in errors[0]
    assert STOP_PREFIX not in errors[0]  # no setting adapts to it
    assert '"RECORD"' not in done.stdout.replace(" ", "")


def test_a_web_server_at_api_url_is_one_error_line(tmp_path: Path) -> None:
    module, credentials = PLUGINS["tap-lexful"]
    with web_server() as url:
        done = _run(module, {**credentials, **QUICK, "api_url": url}, tmp_path)
    assert done.returncode == 1
    errors = _errors(done)
    assert len(errors) == 1, done.stderr[-3000:]
    assert "POST /v1/auth/token" in errors[0]
    assert "501" in errors[0]
    assert "lxs_secret_x" not in done.stderr


@pytest.mark.parametrize("plugin", list(PLUGINS))
def test_user_info_in_api_url_is_a_setting_error_at_startup(plugin: str, tmp_path: Path) -> None:
    """Was: tap-lexful ended with a 70-line traceback ('presigned URL ... carries a user name
    or password'), tap-lightfield ran as if the URL were fine."""
    module, credentials = PLUGINS[plugin]
    url = "http://probe-user:probe-pass@127.0.0.1:1"
    done = _run(module, {**credentials, **QUICK, "api_url": url}, tmp_path)
    assert done.returncode == 1
    errors = _errors(done)
    named = [line for line in errors if "api_url: http://****@127.0.0.1:1 " in line]
    assert len(named) == 1, done.stderr[-3000:]
    assert "user name or password" in named[0]
    assert "presigned" not in done.stderr
    assert "probe-pass" not in done.stderr
    assert "probe-user" not in done.stderr
    assert errors[-1].endswith("Config validation failed")  # the SDK's config-error path
