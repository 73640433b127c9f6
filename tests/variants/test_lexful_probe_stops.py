"""``lexful-probe`` when it cannot probe: a refused key, no API at ``api_url``, a web page
instead of the API, a server that does not answer. One row names what is wrong and the
setting to check, the exit code is 1, and the probe spends one request on it (no retries)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connector_core.probe import Verdict
from lexful_api.probe import probe
from lexful_sandbox import running_sandbox
from tests.variants.foreign import foreign_server

CREDENTIALS = {
    "account_id": "acct-probe",
    "api_key_id": "key-probe",
    "api_key_secret": "secret-probe-do-not-print",
}


def _cli(config: dict[str, Any], tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", "lexful_api.probe", "--config", str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("setting", ["api_key_secret", "api_key_id", "account_id"])
def test_a_refused_key_is_one_row_naming_the_settings_and_exit_1(
    setting: str, tmp_path: Path
) -> None:
    with running_sandbox(seed="none", subprocess=True) as sb:
        config = {**sb.config, setting: "wrong-" + setting}
        done = _cli(config, tmp_path)
        assert sb.stats()["writes"] == 0
    assert done.returncode == 1, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if "refused" in line]
    assert rows, done.stdout
    last = done.stdout.splitlines()[-1]
    assert re.match(r"stopped: the token call answered 40[13]: the key is refused", last)
    assert setting in last
    assert "nothing to act on" not in done.stdout
    assert "wrong-api_key_secret" not in done.stdout


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://no-such-host.invalid"])
def test_no_api_at_api_url_stops_at_once_and_exits_1(url: str, tmp_path: Path) -> None:
    report = probe({**CREDENTIALS, "api_url": url})
    assert [(c.key, c.verdict) for c in report.checks] == [("api", Verdict.UNSUPPORTED)]
    assert "cannot reach the API" in report.checks[0].observed
    assert report.stopped
    assert report.requests == 1  # one try, no retry
    done = _cli({**CREDENTIALS, "api_url": url}, tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("stopped: cannot reach the API")


def test_a_web_page_is_not_the_api(tmp_path: Path) -> None:
    with foreign_server("html") as (url, asked):
        done = _cli({**CREDENTIALS, "api_url": url}, tmp_path, "--format", "json")
    assert done.returncode == 1
    checks = json.loads(done.stdout)["checks"]
    assert [c["key"] for c in checks] == ["api"]
    assert checks[0]["observed"].startswith("not the API (HTML answer")
    assert "refused-token" not in done.stdout
    assert len(asked) == 1


def test_a_server_that_does_not_answer_is_one_timeout_row() -> None:
    with foreign_server("slow") as (url, asked):
        report = probe({**CREDENTIALS, "api_url": url})
    assert [(c.key, c.verdict) for c in report.checks] == [("api", Verdict.UNSUPPORTED)]
    assert report.checks[0].observed.startswith("no answer within 3 s")
    assert report.requests == len(asked) == 1


def test_userinfo_of_api_url_is_masked(tmp_path: Path) -> None:
    config = {**CREDENTIALS, "api_url": "http://probe-user:probe-pass@127.0.0.1:1"}
    table = _cli(config, tmp_path)
    as_json = _cli(config, tmp_path, "--format", "json")
    for done in (table, as_json):
        assert "probe-pass" not in done.stdout + done.stderr
        assert "probe-user" not in done.stdout + done.stderr
        # A URL with user info is a bad config: one line naming api_url, exit 2.
        assert done.returncode == 2
        assert done.stderr.split(": ", 1)[1].startswith("api_url: http://****@127.0.0.1:1 ")
