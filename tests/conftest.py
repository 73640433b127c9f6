"""The fixtures every test folder shares: sandboxes over real HTTP, accounts and a client.

One name each:

- ``demo_sandbox``: the demo-seeded sandbox of the whole session. Tests read its seeded
  account (``demo_sandbox.config``) and never change it; what they write goes into accounts
  of their own (``empty_account``, ``demo_sandbox.new_account()``).
- ``own_demo_sandbox``: a demo-seeded sandbox of the test's own, for tests that change the
  seeded account.
- ``own_sandbox``: an empty sandbox of the test's own, for tests that set faults or hooks
  that must not reach other tests.
- ``empty_account``: a new, empty account on ``demo_sandbox``, isolated from every other.
- ``client``: a ``LexfulClient`` for ``empty_account``.

The plain functions (a client for a config, organizations, assets, files) are in
``tests/lexful/client.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lexful_api import LexfulClient
from lexful_sandbox import Sandbox, running_sandbox
from tests.lexful.client import client_for


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[Sandbox]:
    """The demo-seeded sandbox of the session; its seeded account is only read."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture
def own_demo_sandbox() -> Iterator[Sandbox]:
    """A demo-seeded sandbox of the test's own, for tests that change the seeded account."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    """An empty sandbox of the test's own, for tests that set faults or hooks on the server."""
    with running_sandbox(seed="none") as sandbox:
        yield sandbox


@pytest.fixture
def empty_account(demo_sandbox: Sandbox) -> dict[str, Any]:
    """A new, empty account on the demo sandbox: isolation makes it a clean slate."""
    return demo_sandbox.new_account()


@pytest.fixture
def client(empty_account: dict[str, Any]) -> Iterator[LexfulClient]:
    """A client for ``empty_account``."""
    opened = client_for(empty_account)
    yield opened
    opened.close()
