"""Fixtures of the Airbyte tests: sandboxes of their own, started with ``running_sandbox``.

Nothing here imports airbyte-cdk: each test module asks for it first (``pytest.importorskip``),
so that without the ``airbyte`` extra the folder is skipped with the reason, not failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lexful_sandbox import Sandbox, running_sandbox


@pytest.fixture(scope="session")
def airbyte_demo() -> Iterator[Sandbox]:
    """A demo-seeded sandbox for the Airbyte tests that only read its seeded account."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def pyairbyte() -> str:
    """PyAirbyte's interpreter: $PYAIRBYTE_PYTHON, or the venv `make pyairbyte` makes."""
    root = Path(__file__).resolve().parents[3]
    path = os.environ.get("PYAIRBYTE_PYTHON", str(root / ".venv-pyairbyte" / "bin" / "python"))
    assert Path(path).exists(), f"PyAirbyte is not installed at {path}: run `make pyairbyte`"
    return path


def pytest_configure(config: pytest.Config) -> None:
    # airbyte-cdk's suites mark their Docker image tests; the suites here leave them out.
    config.addinivalue_line("markers", "image_tests: airbyte-cdk's Docker image tests")
