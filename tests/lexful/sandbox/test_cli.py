"""The CLI: the credentials line, --db persistence across restarts, faults from flags."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from lexful_sandbox import running_sandbox
from lexful_sandbox.cli import options_from, parser
from tests.lexful.sandbox.conftest import Api, assert_error


def test_persistence_across_restart(tmp_path) -> None:
    db = str(tmp_path / "sandbox.sqlite")
    with running_sandbox(seed="demo", db=db, subprocess=True) as first:
        api = Api(first.config)
        org = api.post(
            "/organizations", {"name": "Survivor", "type": "client", "status": "active"}
        ).json()
        orgs_before = api.get("/organizations").json()["total"]
        token = api.token
    with running_sandbox(seed="demo", db=db, subprocess=True) as second:
        assert (second.account_id, second.api_key_id) == (first.account_id, first.api_key_id)
        again = Api(second.config)
        assert again.get(f"/organizations/{org['id']}").json()["name"] == "Survivor"
        assert again.get("/organizations").json()["total"] == orgs_before  # not seeded twice
        reused = requests.get(
            second.api_url + "/v1/organizations",
            headers={"Authorization": f"Bearer {token}", "X-Account-ID": second.account_id},
            timeout=10,
        )
        assert reused.status_code == 200


def test_subprocess_sandbox_controls() -> None:
    with running_sandbox(subprocess=True, error_rate=1.0) as sb:
        answer = requests.get(sb.api_url + "/v1/organizations", timeout=10)
        assert answer.status_code in (500, 502, 503)
        sb.set_faults(error_rate=0)
        other = sb.new_account()
        assert other["account_id"] != sb.account_id
        assert Api(other).get("/organizations").json()["total"] == 0
        stats = sb.stats()
        assert stats["by_status"][200] >= 2
        assert stats["requests"] >= 3


def test_cli_first_line_and_flags() -> None:
    args = [
        sys.executable,
        "-m",
        "lexful_sandbox.cli",
        "serve",
        "--port",
        "0",
        "--token-ttl",
        "7",
        "--seed-random",
        "5",
    ]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        config = json.loads(child.stdout.readline())
        assert set(config) == {"api_url", "account_id", "api_key_id", "api_key_secret"}
        assert config["api_url"].startswith("http://127.0.0.1:")
        token = requests.post(
            config["api_url"] + "/v1/auth/token",
            headers={"X-Account-ID": config["account_id"]},
            json={"id": config["api_key_id"], "secret": config["api_key_secret"]},
            timeout=10,
        ).json()
        assert token["expires_in"] == 7
        assert_error(requests.post(config["api_url"] + "/_admin/faults", json={}, timeout=10), 404)
    finally:
        child.terminate()
        child.wait(10)


def test_credentials_are_deterministic_from_seed_random() -> None:
    with running_sandbox(seed_random=3) as a, running_sandbox(seed_random=3) as b:
        assert (a.account_id, a.api_key_secret) == (b.account_id, b.api_key_secret)
    with running_sandbox(seed_random=4) as c:
        assert c.account_id != a.account_id


def test_every_flag_reaches_the_options() -> None:
    args = parser().parse_args(
        [
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "9",
            "--db",
            "x.db",
            "--seed",
            "demo",
            "--seed-scale",
            "7",
            "--seed-random",
            "3",
            "--latency-ms",
            "5",
            "--jitter-ms",
            "6",
            "--error-rate",
            "0.1",
            "--rate-limit",
            "20",
            "--drop-rate",
            "0.2",
            "--token-ttl",
            "9",
            "--admin",
        ]
    )
    options = options_from(args)
    assert (options.host, options.port, options.db, options.seed) == ("0.0.0.0", 9, "x.db", "demo")
    assert (options.seed_scale, options.seed_random, options.admin) == (7, 3, True)
    f = options.faults
    assert (f.latency_ms, f.jitter_ms, f.error_rate, f.rate_limit, f.drop_rate, f.token_ttl) == (
        5, 6, 0.1, 20, 0.2, 9,
    )  # fmt: skip
    defaults = options_from(parser().parse_args(["serve"]))
    assert (defaults.host, defaults.port, defaults.db, defaults.seed) == (
        "127.0.0.1",
        0,
        None,
        "none",
    )
