"""Fixtures of the target tests: the write calls the shared demo sandbox receives.

The sandboxes, the empty account and its client are the root fixtures (``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

from lexful_sandbox import Sandbox


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
def _session_calls(demo_sandbox: Sandbox) -> Calls:
    hook = Calls()
    demo_sandbox.add_hook(hook)
    return hook


@pytest.fixture
def calls(_session_calls: Calls) -> Calls:
    """The calls the shared demo sandbox receives from now on (tests run one at a time)."""
    _session_calls.reset()
    return _session_calls
