"""Both probes' command line (docs/probe.md): exit 0 fine, 1 something to act on, 2 a bad
command line or config, told in one line naming the file or the setting; and the table's
wording: counts in the singular or plural, a stop said once, one phrase for "nothing to do",
every ``not checked`` row in the documented form ``not observable: ...`` with an action."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from connector_core.probe import Verdict, render_table
from lexful_api.probe import probe as lexful_probe
from lexful_sandbox import running_sandbox as running_lexful
from lightfield_api import probe as lightfield_probe
from lightfield_sandbox import running_sandbox as running_lightfield
from lightfield_sandbox.common import variants as lightfield_variants
from tests.lightfield.tap.helpers import Reader

NOTHING = "nothing to do"  # connector_core.probe.NOTHING, the one phrase
PROBES = {
    "lexful-probe": (
        "lexful_api.probe",
        {"account_id": "acct", "api_key_id": "key", "api_key_secret": "probe-secret-x"},
    ),
    "lightfield-probe": ("lightfield_api.probe", {"api_key": "sk_probe-secret-x"}),
}


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert done.stdout == "", done.stdout
    return lines[0]


@pytest.mark.parametrize("prog", list(PROBES))
def test_a_config_without_its_credentials_exits_2(prog: str, tmp_path: Path) -> None:
    module, _ = PROBES[prog]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"api_url": "http://127.0.0.1:1"}))
    done = _run(module, "--config", str(path))
    assert done.returncode == 2
    line = _one_line(done)
    assert line.startswith(f"{prog}: the config lacks ")
    assert ("api_key" if prog == "lightfield-probe" else "api_key_secret") in line


@pytest.mark.parametrize("prog", list(PROBES))
@pytest.mark.parametrize("kind", ["not-json", "missing"])
def test_a_config_file_not_read_exits_2_naming_the_file(
    prog: str, kind: str, tmp_path: Path
) -> None:
    module, _ = PROBES[prog]
    path = tmp_path / "tap-config.json"
    if kind == "not-json":
        path.write_text('{"api_key": "sk_x",')
    done = _run(module, "--config", str(path))
    assert done.returncode == 2
    line = _one_line(done)
    assert line.startswith(f"{prog}: config {path}: ")
    assert ("not valid JSON" if kind == "not-json" else "No such file") in line
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("prog", list(PROBES))
def test_user_info_in_api_url_is_a_setting_error_exit_2(prog: str, tmp_path: Path) -> None:
    """Was: lexful-probe told a 'presigned URL' that could not be reached ('check the
    network'); lightfield-probe ran the whole probe and exited 0."""
    module, credentials = PROBES[prog]
    path = tmp_path / "config.json"
    url = "http://probe-user:probe-pass@127.0.0.1:1"
    path.write_text(json.dumps({**credentials, "api_url": url}))
    for extra in ((), ("--format", "json")):
        done = _run(module, "--config", str(path), *extra)
        assert done.returncode == 2, done.stdout + done.stderr
        line = _one_line(done)
        assert line.startswith(f"{prog}: api_url: http://****@127.0.0.1:1 ")
        assert "user name or password" in line
        assert "probe-pass" not in line
        assert "probe-user" not in line
        assert "presigned" not in line
        assert "network" not in line


@pytest.mark.parametrize("prog", list(PROBES))
def test_a_stop_is_said_once_and_counted_in_the_singular(prog: str, tmp_path: Path) -> None:
    module, credentials = PROBES[prog]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**credentials, "api_url": "http://127.0.0.1:1"}))
    done = _run(module, "--config", str(path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert ": 1 check, 1 request, " in lines[0], lines[0]
    assert lines[-1].startswith("stopped: cannot reach the API")
    assert lines[-1].count("stopped") == 1, lines[-1]


def test_a_workspace_just_written_under_a_lagging_index_says_why_nothing_is_observed() -> None:
    """Was: rows 'no record | not checked' with an empty action. The list of a workspace just
    written shows nothing yet under a lagging index: the rows say so, as docs/probe.md has
    them (``not observable: ...``), with what to do."""
    with running_lightfield(seed="none", variants=[lightfield_variants.LAGGING_INDEX]) as sb:
        reader = Reader(sb.config)
        requests.post(
            f"{sb.api_url}/v1/accounts",
            json={"fields": {"$name": "Just Written Inc"}},
            headers=reader.headers,
            timeout=30,
        ).raise_for_status()
        report = lightfield_probe.run(sb.config)
        writes_after = sb.stats()["writes"]
    assert writes_after == 1  # the test's own write; the probe's none
    unseen = [c for c in report.checks if c.verdict is Verdict.NOT_CHECKED]
    assert {"fields.present", "index.lag"} <= {c.key for c in unseen}
    for check in unseen:
        assert check.observed.startswith("not observable: "), check
        assert check.action.strip(), check
    by_key = {c.key: c for c in unseen}
    for key in ("fields.present", "index.lag"):
        assert "no record yet" in by_key[key].observed
        assert "index lags" in by_key[key].observed
    table = render_table(report)
    assert "| no record " not in table


def test_rows_that_work_as_is_say_nothing_to_do_in_both_probes() -> None:
    """One phrase in the action column, not a blank, 'nothing' and 'nothing to do' mixed."""
    with running_lightfield(seed="demo") as sb:
        report = lightfield_probe.run(sb.config)
    works = [c for c in report.checks if c.verdict is Verdict.WORKS]
    assert works
    actions = {c.key: c.action for c in works}
    for key in ("auth", "errors.shape", "fields.present", "filters"):
        assert actions[key] == NOTHING, actions
    with running_lexful(seed="demo", subprocess=True) as sb:
        lexful_report = lexful_probe(sb.config)
    lexful_actions = {c.key: c.action for c in lexful_report.checks if c.verdict is Verdict.WORKS}
    for key in ("token", "paths", "sort", "fields", "errors", "refused-token"):
        assert lexful_actions[key] == NOTHING, lexful_actions


def test_the_sort_row_names_every_setting_a_one_key_sort_needs() -> None:
    """Was: only 'set replication_key: created_at'; a second round of the probe then asked
    for emit_deletes: false."""
    with running_lexful(seed="demo", variants=["single-sort"], subprocess=True) as sb:
        config = {**sb.config, "replication_key": "updated_at", "emit_deletes": True}
        report = lexful_probe(config)
    row = next(c for c in report.checks if c.key == "sort")
    assert row.verdict is Verdict.SETTING
    assert "replication_key: created_at" in row.action
    assert "emit_deletes: false" in row.action
