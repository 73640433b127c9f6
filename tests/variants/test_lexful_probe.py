"""``lexful-probe`` against the demo sandbox and each of its variants: each variant is
reported where it differs, with a bounded handful of requests and no write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from connector_core.probe import Verdict
from lexful_api.probe import probe
from lexful_sandbox import running_sandbox
from lexful_sandbox.common.variants import REGISTRY

MAX_REQUESTS = 12  # the handful: nine checks, a retry or two where the API differs

# The row each variant changes, and what it becomes. delete-200 and bulk-bare-array answer
# only writes: the probe cannot see them, and says so (their rows are "not checked" always).
EXPECTED = {
    "single-sort": ("sort", Verdict.SETTING, "emit_deletes: false"),
    "page-cap-400": ("page-cap", Verdict.ADAPTS, "limit=1000: 400"),
    "page-cap-silent": ("page-cap", Verdict.ADAPTS, "served 100 of"),
    "fields-ignored": ("fields", Verdict.ADAPTS, "also answered"),
    "fastify-errors": ("errors", Verdict.ADAPTS, "statusCode"),
    "oauth-token": ("token", Verdict.ADAPTS, "access_token, expires_in"),
    "entities-paths": ("paths", Verdict.ADAPTS, "/v1/entity_types answered"),
    "expired-403": ("refused-token", Verdict.ADAPTS, "403"),
    "delete-200": ("delete-answer", Verdict.NOT_CHECKED, "needs a write"),
    "bulk-bare-array": ("bulk-answer", Verdict.NOT_CHECKED, "needs a write"),
    "bulk-reordered": ("bulk-answer", Verdict.NOT_CHECKED, "needs a write"),
}
UNSEEN = {"delete-answer", "bulk-answer"}


def test_every_variant_has_an_expectation() -> None:
    assert set(EXPECTED) == set(REGISTRY.names)


def test_the_demo_sandbox_holds_every_assumption() -> None:
    with running_sandbox(seed="demo") as sb:
        report = probe(sb.config)
        stats = sb.stats()
    verdicts = report.verdicts()
    assert {k: v for k, v in verdicts.items() if k not in UNSEEN} == dict.fromkeys(
        set(verdicts) - UNSEEN, Verdict.WORKS
    )
    assert report.blocking == []
    assert stats["writes"] == 0
    assert report.requests == stats["requests"] <= MAX_REQUESTS


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_each_variant_is_reported(variant: str) -> None:
    key, verdict, seen = EXPECTED[variant]
    with running_sandbox(seed="demo", variants=[variant]) as sb:
        report = probe(sb.config)
        stats = sb.stats()
    row = next(c for c in report.checks if c.key == key)
    assert row.verdict == verdict
    assert seen in row.observed + " " + row.action
    others = {c.key: c.verdict for c in report.checks if c.key not in UNSEEN | {key}}
    assert set(others.values()) == {Verdict.WORKS}, others  # only its own row differs
    assert stats["writes"] == 0
    assert stats["requests"] <= MAX_REQUESTS


def _cli(config: dict[str, str], tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run(
        [sys.executable, "-m", "lexful_api.probe", "--config", str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_json_leaves_out_every_secret_and_its_exit_code_says_what_to_do(
    tmp_path: Path,
) -> None:
    with running_sandbox(seed="demo", variants=["single-sort"], subprocess=True) as sb:
        done = _cli(sb.config, tmp_path, "--format", "json")
        assert sb.stats()["writes"] == 0
    assert done.returncode == 1, done.stderr  # a setting is needed
    report = json.loads(done.stdout)
    assert report["api"] == "lexful"
    assert {c["key"]: c["verdict"] for c in report["checks"]}["sort"] == "needs a setting"
    assert "adapted" not in done.stderr  # the table's verdict is the only one
    assert sb.api_key_secret not in done.stdout + done.stderr
    assert "Bearer " not in done.stdout
    with running_sandbox(seed="demo", subprocess=True) as sb:
        table = _cli(sb.config, tmp_path)
    assert table.returncode == 0, table.stderr
    assert "nothing to act on" in table.stdout.splitlines()[-1]


def test_cli_refuses_a_config_without_credentials(tmp_path: Path) -> None:
    done = _cli({"api_url": "http://127.0.0.1:9"}, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "lexful-probe: the config lacks account_id, api_key_id, api_key_secret"
    )
