"""The sandboxes' database holds the key that signs tokens and presigned URLs: it is 0600.

The old file (and its -wal, -shm) was 0644 under the usual umask, so another user of the
machine could read ``meta.signing_key`` and forge tokens for the sandbox.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from lexful_sandbox import running_sandbox as lexful_sandbox
from lightfield_sandbox import running_sandbox as lightfield_sandbox


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    "running", [lexful_sandbox, lightfield_sandbox], ids=["lexful", "lightfield"]
)
def test_the_sandbox_database_is_private(
    tmp_path: Path, running: Callable[..., AbstractContextManager[Any]]
) -> None:
    db = tmp_path / "sandbox.sqlite"
    with umask(0o022), running(seed="demo", db=str(db)):
        files = sorted(tmp_path.glob("sandbox.sqlite*"))
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    assert "sandbox.sqlite" in modes
    assert "sandbox.sqlite-wal" in modes
    assert set(modes.values()) == {0o600}, modes
