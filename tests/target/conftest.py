"""Fixtures: a sandbox over real HTTP (in-process), and an empty account per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lexful_api import contract
from lexful_sandbox import running_sandbox
from tests.target.helpers import client_for


@pytest.fixture(scope="session")
def sb() -> Iterator[Any]:
    """A demo-seeded sandbox: the seeded account is the source of copies."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture
def faulty_sb() -> Iterator[Any]:
    """A sandbox of its own, for tests that set faults or hooks on the server."""
    with running_sandbox(seed="none") as sandbox:
        yield sandbox


@pytest.fixture
def dest(sb: Any) -> dict[str, Any]:
    """An empty, isolated account to write into."""
    return sb.new_account()


@pytest.fixture
def api(dest: dict[str, Any]) -> Any:
    client = client_for(dest)
    yield client
    client.close()


@pytest.fixture
def new_org(api: Any) -> Callable[[str], dict[str, Any]]:
    """Creates an active client organization in the test's account: ``new_org("Acme")``."""

    def create(name: str) -> dict[str, Any]:
        body = {"name": name, "type": "client", "status": "active"}
        return api.send_json("POST", contract.organizations_path(), body)

    return create


class Calls:
    """Counts the write calls the server received, by method and path prefix."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, method: str, path: str, query: dict[str, str]) -> None:
        self.calls.append((method, path))

    def writes(self) -> list[tuple[str, str]]:
        return [
            c
            for c in self.calls
            if c[0] in ("POST", "PATCH", "PUT", "DELETE") and not c[1].endswith("/auth/token")
        ]

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture(scope="session")
def _session_calls(sb: Any) -> Calls:
    hook = Calls()
    sb.add_hook(hook)
    return hook


@pytest.fixture
def calls(_session_calls: Calls) -> Calls:
    """The calls the shared sandbox receives from now on (tests run one at a time)."""
    _session_calls.reset()
    return _session_calls
