"""The variant plumbing of the sandbox core: ``serve --variant``, ``running_sandbox(variants=)``,
the registry's one-line refusal of an unknown name, and the write counter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from lexful_sandbox import running_sandbox
from lexful_sandbox.common.variants import REGISTRY
from sandbox_core.variants import UnknownVariant, VariantRegistry
from tests.lexful.sandbox.conftest import Api


def test_registry_refuses_an_unknown_name_in_one_line_listing_the_known() -> None:
    registry = VariantRegistry("demo")
    registry.declare("one", "the first")
    registry.declare("two", "the second")
    with pytest.raises(UnknownVariant) as caught:
        registry.check(["one", "three"])
    assert str(caught.value) == "unknown demo variant 'three'; known: one, two"
    assert registry.check(["two", "one"]) == frozenset({"one", "two"})
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare("one", "again")
    assert registry.describe().splitlines() == ["one  the first", "two  the second"]


def test_cli_lists_variants_and_refuses_an_unknown_one() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "lexful_sandbox.cli", "variants"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == list(REGISTRY.names)
    assert "single-sort" in names
    refused = subprocess.run(
        [sys.executable, "-m", "lexful_sandbox.cli", "serve", "--variant", "no-such"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert refused.returncode == 2
    last = refused.stderr.strip().splitlines()[-1]
    assert "unknown lexful variant 'no-such'; known: single-sort, " in last
    assert "Traceback" not in refused.stderr


def test_running_sandbox_refuses_an_unknown_variant() -> None:
    with (
        pytest.raises(UnknownVariant, match="unknown lexful variant 'nope'; known: "),
        running_sandbox(variants=["nope"]),
    ):
        pass


@pytest.mark.parametrize("subprocess_", [False, True])
def test_variants_reach_the_server_in_a_thread_and_a_child(subprocess_: bool) -> None:
    """``delete-200`` changes what a DELETE answers: the variant is on in either harness."""
    with running_sandbox(variants=["delete-200"], subprocess=subprocess_) as sb:
        api = Api(sb.config)
        body = {"name": "Gone", "type": "client", "status": "active"}
        org = api.post("/organizations", body).json()
        answer = api.request("DELETE", f"/organizations/{org['id']}")
        assert answer.status_code == 200
        assert answer.json()["id"] == org["id"]


def test_write_counter_counts_writes_not_reads_nor_the_token_call() -> None:
    with running_sandbox(seed="demo") as sb:
        api = Api(sb.config)  # the token call: not a write
        api.get("/organizations")
        assert sb.stats()["writes"] == 0
        api.post("/organizations", {"name": "One", "type": "client", "status": "active"})
        api.post("/organizations", {"name": ""})  # refused, still a write attempt
        requests.get(sb.api_url + "/v1/users", timeout=10)  # 401, a read
        assert sb.stats()["writes"] == 2


def test_child_stats_carry_the_write_counter() -> None:
    with running_sandbox(subprocess=True) as sb:
        api = Api(sb.config)
        api.post("/organizations", {"name": "One", "type": "client", "status": "active"})
        stats = sb.stats()
        assert stats["writes"] == 1
        assert json.loads(json.dumps(stats))["writes"] == 1
