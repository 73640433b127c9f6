"""``max_concurrency: auto`` (the default) against the sandbox over real HTTP: a rate limit is
learned from its 429s and nothing is lost; a number still fixes the concurrency."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lexful.tap.helpers import populate, sync, tap_config


@pytest.fixture
def limited(own_sandbox: Any) -> Any:
    populate(own_sandbox.config, organizations=20, assets=45)
    return own_sandbox


def _ids(output: Any, stream: str) -> set[str]:
    return {record["id"] for record in output.records(stream)}


def test_auto_learns_the_rate_limit_from_429s(limited: Any) -> None:
    config = tap_config(limited.config, max_concurrency="auto", asset_types=["system.location"])
    clean = sync(config)
    limited.set_faults(rate_limit=25)  # no client budget: the server's 429s teach it
    paced = sync(config)
    assert _ids(paced, "system_location") == _ids(clean, "system_location")
    limit = paced.tap.runtime.client.concurrency
    assert limit is not None
    assert limit.refusals > 0
    assert limit.pace is not None
    assert "paced at" in paced.tap.runtime.client.concurrency_note()


def test_auto_is_the_default_and_a_number_fixes_it(limited: Any) -> None:
    config = tap_config(limited.config, asset_types=["system.location"])
    del config["max_concurrency"]
    auto = sync(config)
    assert auto.tap.runtime.client.concurrency is not None
    assert auto.tap.runtime.client.concurrency_note().startswith("max_concurrency auto settled")
    fixed = sync({**config, "max_concurrency": "3"})  # as Meltano passes it: text
    assert fixed.tap.runtime.client.concurrency is None
    assert fixed.tap.runtime.max_concurrency == 3
    assert _ids(fixed, "system_location") == _ids(auto, "system_location")
