"""Faults while the target writes: a 429 storm at 25/s, 5xx answers, dropped connections.

Each test has a sandbox of its own (faults and statistics are the whole server's): the tap
reads the demo workspace before any fault is set, then the target copies it under the fault.
Each run: the copy equals the source, and every collection holds as many records as the
source's (0 lost, 0 doubled), nothing rejected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from lightfield_api import contract
from lightfield_sandbox import Sandbox, running_sandbox
from tests.lightfield.target.helpers import (
    COMPARED,
    assert_copy_equals_source,
    assert_lists_equal,
    count_per_collection,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
)


@pytest.fixture
def demo() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def _copy_under(
    demo: Sandbox, tmp_path: Path, faults: dict[str, Any], **settings: Any
) -> tuple[dict[str, str], dict[str, int]]:
    """The demo read (no fault), the copy written under ``faults``: its creds and the
    sandbox's statistics of the write alone."""
    creds = demo.new_account()
    with_demo_members(demo, creds)
    lines = tap_lines(demo.config, files_content="inline")
    before = demo.stats()
    config = target_config(creds, tmp_path, max_tries=12, **settings)
    demo.set_faults(**faults)
    try:
        target, states = run_target(config, lines)
    finally:
        demo.set_faults(error_rate=0, drop_rate=0, rate_limit=0)
        demo.freeze_clock(None)
    after = demo.stats()
    assert states, "no STATE printed"
    assert target.engine.stats.total("rejected") == 0
    rejects = tmp_path / "rejects.jsonl"
    assert not rejects.exists() or not rejects.read_text().strip(), rejects.read_text()
    delta = {
        "dropped": after["dropped"] - before["dropped"],
        **{
            str(status): n - before["by_status"].get(status, 0)
            for status, n in after["by_status"].items()
        },
    }
    return creds, delta


def _assert_exact_copy(demo: Sandbox, creds: dict[str, str]) -> None:
    assert count_per_collection(creds) == count_per_collection(demo.config)
    assert_copy_equals_source(demo.config, creds, with_files=True)
    assert_lists_equal(demo.config, creds)


def test_429_storm_at_25_per_second(demo: Sandbox, tmp_path: Path) -> None:
    # The sandbox's clock stands still until the storm has begun (however slow this machine
    # is, the 26th request of the second is refused), then runs on at 25/s.
    demo.freeze_clock(time.time())

    def thaw(method: str, path: str, query: dict[str, str]) -> None:
        if demo.stats()["by_status"].get(429, 0) >= 3:
            demo.freeze_clock(None)

    demo.add_hook(thaw)
    # Unpaced and concurrent: the target meets the limit and must wait out every 429.
    creds, delta = _copy_under(
        demo, tmp_path, {"rate_limit": 25}, max_requests_per_second=1000, max_concurrency=8
    )
    assert delta.get("429", 0) >= 3, delta
    _assert_exact_copy(demo, creds)


def test_5xx_errors_are_retried(demo: Sandbox, tmp_path: Path) -> None:
    creds, delta = _copy_under(demo, tmp_path, {"error_rate": 0.3})
    assert sum(delta.get(s, 0) for s in ("500", "502", "503")) > 0, delta
    _assert_exact_copy(demo, creds)


def test_dropped_connections_are_retried(demo: Sandbox, tmp_path: Path) -> None:
    creds, delta = _copy_under(demo, tmp_path, {"drop_rate": 0.2})
    assert delta["dropped"] > 0, delta
    _assert_exact_copy(demo, creds)


def test_create_performed_but_its_answer_lost_is_not_doubled(
    demo: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox's faults all strike before a request is handled; here every create is
    performed and then its answer lost (a connection error after the server wrote): the
    retry, with the same ``Idempotency-Key``, must get the record the first try made."""
    creds = demo.new_account()
    with_demo_members(demo, creds)
    lines = tap_lines(demo.config, files_content="inline")
    real = requests.Session.request
    lost: set[str] = set()
    lock = threading.Lock()

    def answer_lost(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        response = real(self, method, url, **kwargs)
        key = (kwargs.get("headers") or {}).get(contract.IDEMPOTENCY_HEADER)
        if method == "POST" and key and response.status_code < 300:
            with lock:
                first = key not in lost
                lost.add(key)
            if first:
                response.close()
                raise requests.ConnectionError("answer lost")
        return response

    monkeypatch.setattr(requests.Session, "request", answer_lost)
    target, states = run_target(target_config(creds, tmp_path), lines)
    monkeypatch.undo()
    assert states, "no STATE printed"
    assert target.engine.stats.total("rejected") == 0
    assert len(lost) == sum(
        count_per_collection(demo.config)[s] for s in (*COMPARED, "files", "lists", "emails")
    )
    _assert_exact_copy(demo, creds)
