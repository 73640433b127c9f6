"""``lightfield-probe``: each variant of the sandbox detected, a bounded handful of GETs, no
write (the sandbox's write counter), and no secret in its JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import requests

from connector_core.probe import Check, Report, Verdict, render_json
from lightfield_api import probe, probe_lag
from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.common import variants as v
from tests.lightfield.tap.helpers import Reader
from tests.variants.foreign import foreign_server

LAG_S = 3.3
MAX_REQUESTS = 10  # the checks' GETs; a lag seen adds up to probe_lag.LAG_POLLS lists again

#: variant -> (check, verdict, a word of what the API did)
DETECTED = {
    None: None,
    v.ERRORS_WRAPPED: ("errors.shape", Verdict.WORKS, "wrapped"),
    v.ERRORS_UNWRAPPED: ("errors.shape", Verdict.ADAPTS, "flat"),
    v.PAGE_CAP_25: ("page.cap", Verdict.WORKS, "limit 26: 400"),
    v.PAGE_CAP_100: ("page.cap", Verdict.WORKS, "limit 101: 400"),
    v.RATE_5: ("rate.limit", Verdict.ADAPTS, "X-RateLimit-Limit: 5"),
    v.LAGGING_INDEX: ("index.lag", Verdict.ADAPTS, "as it was"),
    v.SPARSE_FIELDS: ("fields.present", Verdict.ADAPTS, "left out"),
    v.TRASH_KEEPS_UPDATED_AT: ("trash.updated-at", Verdict.ADAPTS, "no updatedAt"),
    v.FILTERS_IGNORED: ("filters", Verdict.UNSUPPORTED, "ignored"),
}
#: What the probe of the plain sandbox says of each check.
PLAIN = {
    "auth": Verdict.WORKS,
    "rate.limit": Verdict.WORKS,
    "errors.shape": Verdict.WORKS,
    "page.cap": Verdict.WORKS,
    "fields.present": Verdict.WORKS,
    "index.lag": Verdict.WORKS,
    "trash.updated-at": Verdict.WORKS,
    "filters": Verdict.WORKS,
}


def test_every_variant_has_its_row():
    assert sorted(n for n in DETECTED if n) == sorted(x.name for x in v.REGISTRY)


def prepare(sandbox: Sandbox, variant: str | None) -> None:
    """What a real account would show: an account edited a moment ago (seen only under a
    lag), and one account in the trash (its updatedAt tells whether the trash stamps it)."""
    reader = Reader(sandbox.config)
    if variant == v.LAGGING_INDEX:
        time.sleep(LAG_S)  # the seed listed; the edit below is not, yet
    accounts = reader.get("/v1/accounts", limit=2)["data"]
    url = f"{sandbox.api_url}/v1/accounts"
    requests.delete(f"{url}/{accounts[-1]['id']}", headers=reader.headers, timeout=30)
    edit = {"fields": {"$name": "Edited Inc"}}
    requests.post(f"{url}/{accounts[0]['id']}", json=edit, headers=reader.headers, timeout=30)


@pytest.mark.parametrize("variant", list(DETECTED))
def test_the_probe_tells_each_variant_and_writes_nothing(variant: str | None):
    with running_sandbox(seed="demo", variants=[variant] if variant else []) as sandbox:
        if variant == v.RATE_5:
            sandbox.set_faults(rate_limit=0)  # the test's own writes; the probe's under 5/s
        prepare(sandbox, variant)
        if variant == v.RATE_5:
            sandbox.set_faults(rate_limit=5)
        before = sandbox.stats()
        report = probe.run(sandbox.config)
        after = sandbox.stats()
    assert after["writes"] == before["writes"], "the probe wrote"
    lagging = variant == v.LAGGING_INDEX
    assert report.requests <= MAX_REQUESTS + (probe_lag.LAG_POLLS if lagging else 0)
    assert after["requests"] - before["requests"] == report.requests
    verdicts = report.verdicts()
    expected = dict(PLAIN)
    row = DETECTED[variant]
    if row is not None:
        key, verdict, word = row
        expected[key] = verdict
        observed = next(c.observed for c in report.checks if c.key == key)
        assert word in observed, observed
    assert verdicts == expected


def test_the_json_report_holds_no_secret():
    with running_sandbox(seed="demo") as sandbox:
        text = render_json(probe.run(sandbox.config))
        key = sandbox.api_key
    assert key not in text
    assert json.loads(text)["checks"]


def test_the_command_prints_the_table_and_exits_0_when_nothing_needs_acting_on(tmp_path: Path):
    with running_sandbox(seed="demo") as sandbox:
        config = tmp_path / "config.json"
        config.write_text(json.dumps(sandbox.config))
        done = subprocess.run(
            [sys.executable, "-m", "lightfield_api.probe", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        key = sandbox.api_key
    assert done.returncode == 0, done.stderr
    assert "Lightfield probe of" in done.stdout
    assert "nothing to act on" in done.stdout
    assert key not in done.stdout + done.stderr


def _row(report: Report, key: str) -> Check:
    return next(c for c in report.checks if c.key == key)


@pytest.mark.parametrize("configured", [0, 2])
def test_a_lag_beyond_index_lag_seconds_needs_that_setting_with_the_lag_measured(
    configured: float,
) -> None:
    """lagging-index (3 s) against index_lag_seconds under it: the probe sees the edited
    account listed as it was, lists again until the copy catches up, and names the setting
    with the lag it measured. Was: the age of the edit (a moment) taken for the lag, so a
    setting of 2 s passed as covering a 3 s lag."""
    with running_sandbox(seed="demo", variants=[v.LAGGING_INDEX]) as sandbox:
        reader = Reader(sandbox.config)
        time.sleep(LAG_S)  # the seed listed; the edit below is not, yet
        account = reader.get("/v1/accounts", limit=1)["data"][0]
        requests.post(
            f"{sandbox.api_url}/v1/accounts/{account['id']}",
            json={"fields": {"$name": "Edited Inc"}},
            headers=reader.headers,
            timeout=30,
        ).raise_for_status()
        before = sandbox.stats()
        report = probe.run({**sandbox.config, "index_lag_seconds": configured})
        after = sandbox.stats()
    check = _row(report, "index.lag")
    assert check.verdict == Verdict.SETTING, check
    needed = re.fullmatch(rf"index_lag_seconds >= (\d+) \(now {configured:g}\)", check.action)
    assert needed is not None, check.action
    assert 3 <= int(needed.group(1)) <= 3 + probe_lag.LAG_POLLS  # the 3 s lag, read each 1 s
    assert "as it was" in check.observed
    assert after["writes"] == before["writes"]
    assert report.requests <= MAX_REQUESTS + probe_lag.LAG_POLLS


def test_no_write_within_index_lag_seconds_is_not_observable_never_works_as_is() -> None:
    """Nothing written within index_lag_seconds before the probe: no read can time a lag
    under it, and the row says so (was: "works as is")."""
    with running_sandbox(seed="demo") as sandbox:
        report = probe.run({**sandbox.config, "index_lag_seconds": 0})
    check = _row(report, "index.lag")
    assert check.verdict == Verdict.NOT_CHECKED
    assert check.observed.startswith("not observable: the newest write listed is")


def test_an_empty_trash_is_not_observable_on_the_demo_seed() -> None:
    """The demo seed's trash is empty: the trash check cannot tell trash-keeps-updated-at
    there, and its row says so rather than a verdict (the variant itself is told once a
    record is in the trash: test_the_probe_tells_each_variant_and_writes_nothing)."""
    for variants in ([], [v.TRASH_KEEPS_UPDATED_AT]):
        with running_sandbox(seed="demo", variants=variants) as sandbox:
            report = probe.run(sandbox.config)
        check = _row(report, "trash.updated-at")
        assert check.verdict == Verdict.NOT_CHECKED
        assert check.observed.startswith("not observable: trash empty")
        assert report.blocking == []


def _command(
    config: Mapping[str, object], tmp_path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", "lightfield_api.probe", "--config", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://no-such-host.invalid"])
def test_no_api_at_api_url_stops_at_once_and_exits_1(url: str, tmp_path: Path) -> None:
    report = probe.run({"api_key": "sk_probe", "api_url": url})
    assert [(c.key, c.verdict) for c in report.checks] == [("api", Verdict.UNSUPPORTED)]
    assert "cannot reach the API" in report.checks[0].observed
    assert report.requests == 1  # one try, no retry
    done = _command({"api_key": "sk_probe", "api_url": url}, tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("stopped: cannot reach the API")


def test_a_refused_key_is_one_row_naming_the_setting_and_exit_1(tmp_path: Path) -> None:
    """Was: the key's row, then every other check failing on 401 as rows of their own (an
    internal error's text among them) under "works as is" for the error shape."""
    with running_sandbox(seed="demo") as sandbox:
        config = {**sandbox.config, "api_key": "sk_probe_wrong_key"}
        report = probe.run(config)
        done = _command(config, tmp_path)
        writes = sandbox.stats()["writes"]
    assert [(c.key, c.verdict) for c in report.checks] == [("auth", Verdict.UNSUPPORTED)]
    assert report.stopped
    assert report.requests == 1
    assert done.returncode == 1
    last = done.stdout.splitlines()[-1]
    assert last.startswith("stopped: the key check answered 401: the key is refused")
    assert last.endswith("; check api_key")  # the stop said once, on this line
    assert "sk_probe_wrong_key" not in done.stdout + done.stderr
    assert writes == 0


def test_a_web_page_is_not_the_api(tmp_path: Path) -> None:
    with foreign_server("html") as (url, asked):
        done = _command({"api_key": "sk_probe", "api_url": url}, tmp_path, "--format", "json")
    assert done.returncode == 1, done.stdout
    checks = json.loads(done.stdout)["checks"]
    assert [c["key"] for c in checks] == ["api"]
    assert checks[0]["observed"].startswith("not the API (HTML answer")
    assert "Error" not in done.stdout + done.stderr  # no internal error leaks
    assert len(asked) == 1


def test_a_server_that_does_not_answer_is_one_timeout_row() -> None:
    with foreign_server("slow") as (url, asked):
        report = probe.run({"api_key": "sk_probe", "api_url": url})
    assert [(c.key, c.verdict) for c in report.checks] == [("api", Verdict.UNSUPPORTED)]
    assert report.checks[0].observed.startswith("no answer within 3 s")
    assert report.requests == len(asked) == 1


def test_userinfo_of_api_url_is_masked(tmp_path: Path) -> None:
    config = {"api_key": "sk_probe", "api_url": "http://probe-user:probe-pass@127.0.0.1:1"}
    table = _command(config, tmp_path)
    as_json = _command(config, tmp_path, "--format", "json")
    for done in (table, as_json):
        assert "probe-pass" not in done.stdout + done.stderr
        assert "probe-user" not in done.stdout + done.stderr
        # A URL with user info is a bad config: one line naming api_url, exit 2.
        assert done.returncode == 2
        assert done.stderr.split(": ", 1)[1].startswith("api_url: http://****@127.0.0.1:1 ")


def test_an_empty_list_is_no_evidence_of_the_index_lag() -> None:
    with running_sandbox(seed="none") as sandbox:
        report = probe.run(sandbox.config)
    assert report.verdicts()["index.lag"] == Verdict.NOT_CHECKED
