"""A sync through latency, 5xx, 429, dropped connections and short tokens loses nothing."""

from __future__ import annotations

from typing import Any

from tests.tap.helpers import sync, tap_config

SCOPE = {"asset_types": ["system.location", "network_device"]}


def _ids(output: Any) -> dict[str, set[str]]:
    return {
        stream: {str(sorted(r.items())) for r in output.records(stream)}
        for stream in output.streams()
    }


def test_faults_change_nothing(fresh_sandbox: Any) -> None:
    config = tap_config(fresh_sandbox.config, **SCOPE)
    clean = sync(config)
    fresh_sandbox.set_faults(
        latency_ms=5, jitter_ms=5, error_rate=0.15, rate_limit=150, drop_rate=0.05
    )
    faulty = sync(config)
    assert _ids(faulty) == _ids(clean)
    by_status = fresh_sandbox.stats()["by_status"]
    assert any(str(code).startswith("5") for code in by_status), by_status


def test_rate_limit_is_honoured_without_a_storm(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(rate_limit=40)
    config = tap_config(fresh_sandbox.config, max_requests_per_second=30, **SCOPE)
    output = sync(config)
    assert output.records("system_location")
    by_status = {str(k): v for k, v in fresh_sandbox.stats()["by_status"].items()}
    assert by_status.get("429", 0) <= 3, by_status


def test_short_lived_token_is_renewed(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(token_ttl=5, latency_ms=30)
    config = tap_config(fresh_sandbox.config, max_concurrency=2, **SCOPE)
    output = sync(config)
    assert output.records("system_location")
    assert output.tap.runtime.client.auth.tokens_fetched >= 2
