"""Issue 25: a list that keeps changing is read without restarting from zero. One account
created a second while the tap pages a list of 70 (pages of 5, 150 ms a page): the sync
completes, each account once, none that was there all along lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN
from tests.lightfield.tap.helpers import Reader, doubled, sync, tap_config


@pytest.fixture
def busy() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        key = sandbox.store.key(sandbox.api_key)
        assert key is not None
        actor = Actor(sandbox.store, key.workspace_id, key.member_id)
        have = len(Reader(sandbox.config).all("/v1/accounts"))
        for n in range(70 - have):
            entities.create(actor, BUILT_IN["account"], {"fields": {"$name": f"Seeded {n}"}})
        yield sandbox


def test_a_sync_completes_while_one_record_a_second_is_created(busy: Sandbox) -> None:
    before = {r["id"] for r in Reader(busy.config).all("/v1/accounts")}
    assert len(before) == 70
    reader = Reader(busy.config)
    stop = threading.Event()
    created: list[str] = []

    def slow(method: str, path: str, query: dict[str, str]) -> None:
        if method == "GET" and path == "/v1/accounts" and not stop.is_set():
            time.sleep(0.15)

    def create_every_second() -> None:
        n = 0
        while not stop.wait(1.0):
            n += 1
            answer = requests.post(
                f"{reader.url}/v1/accounts",
                json={"fields": {"$name": f"Steady {n}"}, "skipEnrichment": True},
                headers=reader.headers,
                timeout=30,
            )
            answer.raise_for_status()
            created.append(answer.json()["id"])

    busy.add_hook(slow)
    creator = threading.Thread(target=create_every_second, daemon=True)
    creator.start()
    try:
        output = sync(tap_config(busy.config, page_size=5, max_concurrency=2))
    finally:
        stop.set()
        creator.join(timeout=30)
    emitted = [r["id"] for r in output.records("accounts") if r.get("_sdc_deleted_at") is None]
    assert doubled(emitted) == []
    assert before <= set(emitted), "an account there all along was lost"
    assert set(emitted) <= before | set(created)
    assert created, "nothing was created while the tap paged"
    assert output.ids("contacts"), "the streams after accounts did not run"
