"""Fixtures of the warehouse tests: the loaders installed, and a warehouse per test.

``warehouse`` is parametrized by the tests (``indirect``): ``duckdb`` is a new file in the
test's directory, ``postgres`` a new database on one PostgreSQL server for the module, started
by pgserver as an ordinary process and stopped at the end.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import psycopg
import pytest

from tests.e2e.pipeline import meltano, meltano_env
from tests.warehouse.warehouses import Warehouse, duckdb_warehouse, postgres_warehouse

if TYPE_CHECKING:
    import pgserver

NO_ACCOUNT = {"api_url": "", "account_id": "", "api_key_id": "", "api_key_secret": ""}


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    meltano(
        "install",
        "tap-lexful",
        "target-duckdb",
        "target-postgres",
        env=meltano_env(NO_ACCOUNT, None),
    )


def import_pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # pgserver puts its lock file in platformdirs' runtime directory when imported: without
        # XDG_RUNTIME_DIR (CI, containers) platformdirs warns and uses /tmp/runtime-<uid>: fine.
        warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")
        # No pgserver wheel beyond Python 3.12 (pyproject.toml): skipped, with the reason.
        return pytest.importorskip("pgserver", reason="pgserver has no wheel for this Python")


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pgserver.PostgresServer]:
    pgdata = tmp_path_factory.mktemp("pgdata")
    server = import_pgserver().get_server(pgdata, cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    if request.param == "duckdb":
        return duckdb_warehouse(tmp_path / "warehouse.duckdb")
    # The server only when a test asks for PostgreSQL: a DuckDB test starts none.
    server: pgserver.PostgresServer = request.getfixturevalue("postgres_server")
    name = f"w_{uuid.uuid4().hex}"
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_warehouse(server.get_uri(database=name))
