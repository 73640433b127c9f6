"""The Dagster tests' Meltano plugins, installed once in a system directory of their own.

Partitions link the installed plugins of their Meltano system directory (lexful_dagster's
``rundir``). The project's own ``.meltano`` is shared with every other ``meltano install`` on
the machine, which may rebuild a plugin's venv while a partition starts it; a directory of the
session's own is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lexful_sandbox import Sandbox, running_sandbox
from tests.e2e.pipeline import meltano, meltano_env

BLANK = {"api_url": "", "account_id": "", "api_key_id": "", "api_key_secret": ""}


@pytest.fixture(scope="session")
def meltano_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Meltano system directory (``MELTANO_SYS_DIR_ROOT``) with tap-lexful and target-jsonl."""
    home = tmp_path_factory.mktemp("meltano-home")
    env = meltano_env(BLANK, None) | {
        "MELTANO_SYS_DIR_ROOT": str(home),
        "MELTANO_DATABASE_URI": f"sqlite:///{home}/meltano.db",
    }
    meltano("install", "tap-lexful", "target-jsonl", env=env)
    return home


@pytest.fixture
def two_accounts() -> Iterator[tuple[Sandbox, Sandbox]]:
    """Two demo accounts, each on a sandbox of its own (different seeds: different data)."""
    with (
        running_sandbox(seed="demo") as north,
        running_sandbox(seed="demo", seed_random=2) as south,
    ):
        yield north, south
