"""Fixtures: sandboxes over real HTTP, and API clients to shape their data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_sandbox import running_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """A demo-seeded sandbox shared by the tests that only read it."""
    with running_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Any]:
    """A sandbox of its own, for tests that set faults or hooks on the server."""
    with running_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def account(sandbox: Any) -> dict[str, Any]:
    """An empty, isolated account on the shared sandbox."""
    return sandbox.new_account()


def api(config: dict[str, Any]) -> LexfulClient:
    return LexfulClient(
        api_url=config["api_url"],
        account_id=config["account_id"],
        key_id=config["api_key_id"],
        key_secret=config["api_key_secret"],
    )


def create_organizations(client: LexfulClient, count: int, prefix: str = "org") -> list[dict]:
    body = [{"name": f"{prefix} {i}", "type": "client", "status": "active"} for i in range(count)]
    created: list[dict] = []
    for start in range(0, count, contract.BULK_LIMIT):
        answer = client.send_json(
            "POST", contract.organizations_path(), body[start : start + contract.BULK_LIMIT]
        )
        created.extend(contract.list_items(answer))
    return created
