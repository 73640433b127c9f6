"""Faults: the rate budget (25/s per category, headers, 429 + Retry-After), the index lag,
injected errors in the Lightfield shape, hooks; and the CLI's first line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import requests

from lightfield_sandbox import HookAnswer, running_sandbox
from tests.lightfield.sandbox.conftest import Api, account, assert_error

NOW = 2_000_000_000.25  # a frozen moment, a quarter into its one-second window


def test_rate_limit_per_category_with_headers(own) -> None:
    api = Api(own.config)
    own.freeze_clock(NOW)
    own.set_faults(rate_limit=25)
    answers = [api.get("/accounts") for _ in range(25)]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].headers["X-RateLimit-Limit"] == "25"
    assert answers[0].headers["X-RateLimit-Remaining"] == "24"
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"
    assert answers[0].headers["X-RateLimit-Reset"] == str(int(NOW) + 1)
    limited = api.get("/accounts")
    assert_error(limited, 429)
    assert limited.headers["Retry-After"] == "1"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert api.get("/auth/validate").status_code == 200  # Read: a budget of its own
    assert api.post("/accounts", {"fields": {"$name": "w"}}).status_code == 200  # Write too
    own.freeze_clock(NOW + 1)  # the next window
    assert api.get("/accounts").status_code == 200


def test_rate_limit_is_a_token_bucket(own) -> None:
    """The capacity refills at 25 a second [D]: not a calendar-second window, which would
    refuse everything until the second ends, then allow 25 at once."""
    api = Api(own.config)
    own.freeze_clock(NOW)
    own.set_faults(rate_limit=25)
    assert {api.get("/accounts").status_code for _ in range(25)} == {200}
    own.freeze_clock(NOW + 0.2)  # 5 tokens back, in the same calendar second
    assert [api.get("/accounts").status_code for _ in range(6)] == [200] * 5 + [429]
    own.freeze_clock(NOW + 1.0)  # the next calendar second, but only 0.8 s of refill: 20
    answers = [api.get("/accounts") for _ in range(21)]
    assert [a.status_code for a in answers] == [200] * 20 + [429]
    assert answers[0].headers["X-RateLimit-Remaining"] == "19"


def test_rate_budget_is_per_workspace(own) -> None:
    api, other = Api(own.config), Api(own.new_account())
    own.freeze_clock(NOW)
    own.set_faults(rate_limit=2)
    assert [api.get("/accounts").status_code for _ in range(3)] == [200, 200, 429]
    assert other.get("/accounts").status_code == 200


def test_index_lag_hides_new_records_from_lists_only(own) -> None:
    api = Api(own.config)
    own.set_faults(index_lag_ms=3_600_000)  # an hour: no test run is that slow
    made = account(api, "Lagging")
    assert api.ok(api.get(f"/accounts/{made['id']}"))["id"] == made["id"]  # retrieve is current
    listed = api.ok(api.get("/accounts"))
    assert made["id"] not in [d["id"] for d in listed["data"]]
    assert listed["totalCount"] == 0
    own.freeze_clock(moment(made) + 3601)  # the index catches up
    assert api.ids("/accounts") == [made["id"]]
    own.freeze_clock(None)
    own.set_faults(index_lag_ms=0)
    assert api.ids("/accounts") == [made["id"]]


def moment(record: dict) -> float:
    """When the sandbox stamped a record, in epoch seconds (its clock, not ours)."""
    return datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")).timestamp()


def test_index_lag_serves_the_old_version_of_an_update(own) -> None:
    api = Api(own.config)
    made = account(api, "Before")
    own.freeze_clock(moment(made) + 10)
    own.set_faults(index_lag_ms=5_000)
    api.ok(api.post(f"/accounts/{made['id']}", {"fields": {"$name": "After"}}))
    names = [d["fields"]["$name"]["value"] for d in api.ok(api.get("/accounts"))["data"]]
    assert "Before" in names
    assert "After" not in names
    own.set_faults(index_lag_ms=0)
    names = [d["fields"]["$name"]["value"] for d in api.ok(api.get("/accounts"))["data"]]
    assert "After" in names


def test_injected_errors_and_hooks_use_the_lightfield_shape(own) -> None:
    api = Api(own.config)
    own.set_faults(error_rate=1.0)
    answer = api.get("/accounts")
    assert answer.status_code in (500, 502, 503)
    assert set(answer.json()["error"]) == {"type", "message"}
    own.set_faults(error_rate=0)

    def hook(method, path, query):
        if path == "/v1/contacts":
            raise HookAnswer(503, "planned")

    own.add_hook(hook)
    assert_error(api.get("/contacts"), 503)
    assert api.get("/accounts").status_code == 200
    by_status = own.stats()["by_status"]
    assert by_status[503] >= 1
    assert sum(by_status.get(s, 0) for s in (500, 502, 503)) == 2


def test_cli_first_line_and_admin_controls() -> None:
    args = [
        sys.executable,
        "-m",
        "lightfield_sandbox.cli",
        "serve",
        "--port",
        "0",
        "--seed",
        "none",
    ]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        config = json.loads(child.stdout.readline())
        assert set(config) == {"api_url", "api_key"}
        answer = requests.get(
            config["api_url"] + "/v1/accounts",
            headers={
                "Authorization": f"Bearer {config['api_key']}",
                "Lightfield-Version": "2026-03-01",
            },
            timeout=10,
        )
        assert answer.json()["totalCount"] == 0
        assert answer.headers["X-RateLimit-Limit"] == "25"  # the documented limit by default
        assert_error(requests.post(config["api_url"] + "/_admin/faults", json={}, timeout=10), 404)
    finally:
        child.terminate()
        child.wait(10)


def test_subprocess_sandbox_with_db(tmp_path) -> None:
    db = str(tmp_path / "lf.sqlite")
    with running_sandbox(seed="demo", db=db, subprocess=True) as first:
        api = Api(first.config)
        made = account(api, "Survivor")
        first.set_faults(index_lag_ms=3_600_000)
        assert made["id"] not in api.ids("/accounts")
        first.freeze_clock(None)
        assert first.stats()["requests"] >= 2
    with running_sandbox(seed="demo", db=db, subprocess=True) as second:
        assert second.api_key == first.api_key
        assert Api(second.config).ok(Api(second.config).get(f"/accounts/{made['id']}"))["id"]
        assert Api(second.config).ok(Api(second.config).get("/accounts"))["totalCount"] == 9
