"""A sync through latency, 5xx, 429, dropped connections and short tokens loses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lexful.tap.helpers import populate, sync, tap_config


@pytest.fixture
def faulty(own_sandbox: Any) -> Any:
    populate(own_sandbox.config, organizations=20, assets=45)
    return own_sandbox


def _contents(output: Any) -> dict[str, set[str]]:
    """Every record of every stream, comparable across runs (but when a count was read)."""
    return {
        stream: {
            str(sorted((k, v) for k, v in r.items() if k != "read_at"))
            for r in output.records(stream)
        }
        for stream in output.streams()
    }


def test_faults_change_nothing(faulty: Any) -> None:
    config = tap_config(faulty.config)
    clean = sync(config)
    faulty.set_faults(latency_ms=5, jitter_ms=5, error_rate=0.15, drop_rate=0.05)
    broken = sync(config)
    assert _contents(broken) == _contents(clean)
    stats = faulty.stats()
    assert any(str(code).startswith("5") for code in stats["by_status"]), stats
    assert stats["dropped"] > 0, stats


def test_rate_limited_server_is_waited_for(faulty: Any) -> None:
    config = tap_config(faulty.config, asset_types=["system.contact"])
    clean = sync(config)
    faulty.set_faults(rate_limit=25)  # no client budget: 429s, each with a Retry-After
    limited = sync(config)
    assert _contents(limited) == _contents(clean)
    by_status = {str(k): v for k, v in faulty.stats()["by_status"].items()}
    assert by_status.get("429", 0) > 0, by_status


def test_rate_limit_is_honoured_without_a_storm(faulty: Any) -> None:
    faulty.set_faults(rate_limit=40)
    config = tap_config(faulty.config, max_requests_per_second=30)
    output = sync(config)
    assert output.records("system_location")
    by_status = {str(k): v for k, v in faulty.stats()["by_status"].items()}
    assert by_status.get("429", 0) <= 3, by_status


def test_short_lived_token_is_renewed(faulty: Any) -> None:
    # One request at a time at 40 ms: the sync outlives several 5-second tokens.
    faulty.set_faults(token_ttl=5, latency_ms=40)
    config = tap_config(faulty.config, max_concurrency=1)
    output = sync(config)
    assert output.records("system_location")
    assert output.tap.runtime.client.auth.tokens_fetched >= 2
