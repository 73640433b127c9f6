"""`make demo`: a demo sandbox, `meltano run tap-lexful target-duckdb`, the warehouse read back.

The sandbox keeps its data in demo-output/sandbox.sqlite and Meltano keeps the run's state, so
the first `make demo` reads the whole demo account and every later one only what is new: it
first adds an organization with a contact to the sandbox, so that there is something new.
`rm -rf demo-output` starts over. DEMO_OUTPUT and DEMO_STATE_ID_SUFFIX move the demo elsewhere
(the tests run it in a directory and a state of their own).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from lexful_api import contract
from lexful_api.settings import client_from_config
from lexful_sandbox import running_sandbox

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("DEMO_OUTPUT", ROOT / "demo-output")).resolve()
WAREHOUSE = OUTPUT / "warehouse.duckdb"
SANDBOX_DB = OUTPUT / "sandbox.sqlite"
LOG = OUTPUT / "meltano.log"
STATE_ID_SUFFIX = os.environ.get("DEMO_STATE_ID_SUFFIX", "demo")
SCHEMA = "lexful"  # target-duckdb's default_target_schema in meltano.yml (in the SQL below too)
# The tap's summary line for each stream; the run's log is the record of what it read.
STREAM_DONE = re.compile(r"Stream '([^']+)' done: (\d+) records")
TOP = 8


def meltano_env(config: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    env.update(
        LEXFUL_API_URL=config["api_url"],
        LEXFUL_ACCOUNT_ID=config["account_id"],
        LEXFUL_API_KEY_ID=config["api_key_id"],
        LEXFUL_API_KEY_SECRET=config["api_key_secret"],
        TARGET_DUCKDB_PATH=str(WAREHOUSE),
        MELTANO_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def start_over() -> None:
    """A first run: no sandbox data, no warehouse, nothing left of an older demo."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
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
    print("Installing the plugins: meltano install tap-lexful target-duckdb")
    meltano("install", "tap-lexful", "target-duckdb", env=env)
    run = ["run", "--state-id-suffix", STATE_ID_SUFFIX, "tap-lexful", "target-duckdb"]
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


def create_assets_view(db: duckdb.DuckDBPyConnection) -> None:
    """A temporary view `assets` (id, name, type, organization_id) over every asset table (one
    a type, each named after its stream); temporary, so a read-only connection may create it."""
    names = [name for (name,) in db.sql("SELECT name FROM lexful.asset_types").fetchall()]
    union = " UNION ALL ".join(
        # A stream's name is [a-z0-9_] only: safe as a table's name.
        f"SELECT id, name, asset_type, organization_id FROM lexful.{contract.stream_name(n)}"  # noqa: S608
        for n in names
    )
    db.execute(
        f"CREATE TEMP VIEW assets AS SELECT a.id, a.name, t.display_name AS type, "  # noqa: S608
        f"a.organization_id FROM ({union}) a JOIN lexful.asset_types t ON t.name = a.asset_type"
    )


def assets_per_organization(db: duckdb.DuckDBPyConnection) -> list[str]:
    counts = db.sql(
        "SELECT o.name, a.type, count(*) FROM assets a "
        "JOIN lexful.organizations o ON o.id = a.organization_id GROUP BY ALL"
    ).fetchall()
    per_org: dict[str, Counter[str]] = {}
    for organization, kind, count in counts:
        per_org.setdefault(organization, Counter())[kind] = count
    everything = sum(per_org.values(), Counter())
    types = sorted(everything)
    ranked = sorted(per_org.items(), key=lambda item: (-item[1].total(), item[0]))
    rows = [(org, *(c[t] for t in types), c.total()) for org, c in ranked[:TOP]]
    rows.append(("every organization", *(everything[t] for t in types), everything.total()))
    title = f"Assets per organization and type (the {TOP} organizations with the most, then all):"
    return [title, *table(("organization", *types, "total"), rows)]


def links(db: duckdb.DuckDBPyConnection) -> list[str]:
    by_type = db.sql(
        "SELECT a.type, b.type, count(*) AS links FROM lexful.related_assets l "
        "JOIN assets a ON a.id = l.asset_id JOIN assets b ON b.id = l.related_asset_id "
        "GROUP BY ALL ORDER BY links DESC, 1, 2"
    ).fetchall()
    some = db.sql(
        "SELECT a.name, l.description, b.name FROM lexful.related_assets l "
        "JOIN assets a ON a.id = l.asset_id JOIN assets b ON b.id = l.related_asset_id "
        "ORDER BY 1, 3 LIMIT 4"
    ).fetchall()
    total = sum(count for *_, count in by_type)
    return [
        f"Links between assets ({total}, lexful.related_assets), by type, then the first few:",
        *table(("from", "to", "links"), by_type),
        "",
        *table(("asset", "link", "related asset"), some),
    ]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def show_warehouse() -> None:
    # read_only: a reader never takes the lock the next `meltano run` needs to write.
    with duckdb.connect(str(WAREHOUSE), read_only=True) as db:
        print(f"\nThe warehouse: {relative(WAREHOUSE)} (DuckDB; schema {SCHEMA}, a table a stream)")
        create_assets_view(db)
        print("\n".join(["", *assets_per_organization(db), "", *links(db)]))
    where = relative(WAREHOUSE)
    print("\nOpen it (read-only, so that the next make demo can write): the DuckDB CLI,")
    print(f"  duckdb -readonly {where}")
    print("or Python with the duckdb package (in .venv):")
    print(
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{where}', read_only=True)"
        f".sql('FROM {SCHEMA}.organizations').show()\""
    )
    print("Run make demo again for an incremental run; rm -rf demo-output starts over.")


def main() -> int:
    first = not SANDBOX_DB.exists()
    if first:
        start_over()
    with running_sandbox(seed="demo", db=str(SANDBOX_DB), subprocess=True) as sandbox:
        print(f"Sandbox with the demo seed at {sandbox.api_url} (its data: {relative(SANDBOX_DB)})")
        if not first:
            print(add_something_new(sandbox.config))
        read = sync(meltano_env(sandbox.config), first=first)
    print("The sandbox is stopped.", *describe_read(read, first=first), sep="\n")
    show_warehouse()
    return 0


if __name__ == "__main__":
    sys.exit(main())
