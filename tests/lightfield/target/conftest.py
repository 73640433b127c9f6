"""Fixtures of the target-lightfield tests: a demo sandbox of the module's own, in a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lightfield_sandbox import Sandbox, running_sandbox


@pytest.fixture(scope="module")
def demo_sandbox() -> Iterator[Sandbox]:
    """The demo workspace is only read; each test copies it into a new, empty workspace."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox
