"""Two target-lexful processes at once on one account: refused, or nothing duplicated.

Same id map: the second run stops at once with one line (no sqlite traceback mid-run).
Separate id maps: organizations are found by slug before they are created, and a create
refused for its slug (409) by the same organization becomes "found, updated". What match_on
places (no unique key in the API) is read back after its create: both runs keep the first
created, and the one that made a younger copy deletes it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

from connector_core.target.id_map import IdMap
from connector_core.target.id_map_schema import DONE, Entry
from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.helpers import (
    lines,
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)
from tests.security.hostile import Answer, Seen, Upstream, hostile

BIN = Path(sys.executable).parent / "target-lexful"
CONTACT = "system.contact"


def _orgs(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"org-{i}",
            "name": f"Client {i}",
            "slug": f"client-{i}",
            "type": "client",
            "status": "active",
        }
        for i in range(count)
    ]


def _input(orgs: list[dict], contacts: list[dict] | None = None) -> list[dict]:
    out = [schema("organizations"), *[record("organizations", o) for o in orgs]]
    if contacts is not None:
        out += [schema("contacts"), *[record("contacts", c) for c in contacts]]
    return out


def _config_file(config: dict, path: Path) -> Path:
    path.write_text(json.dumps(config))
    return path


def _wait_for_lock(lock: Path, pid: int) -> None:
    """Until the run ``pid`` holds the id map (it writes its pid in the lock file)."""
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(pid)):
        assert time.monotonic() < deadline, "the first run never took the id map"
        time.sleep(0.05)


def test_a_second_run_on_the_same_id_map_stops_at_once(empty_account, client, tmp_path):
    config = _config_file(target_config(empty_account, tmp_path), tmp_path / "config.json")
    # The first run holds the id map while its input stays open.
    with subprocess.Popen(
        [BIN, "--config", config],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as first:
        assert first.stdin is not None
        first.stdin.write(lines(_input(_orgs(3))[:2]).encode())
        first.stdin.flush()
        _wait_for_lock(tmp_path / "id-map.sqlite.lock", first.pid)
        # stdin never written nor closed: a second run that read it would hang.
        with subprocess.Popen(
            [BIN, "--config", config], stdin=subprocess.PIPE, stderr=subprocess.PIPE
        ) as second:
            try:
                code = second.wait(timeout=60)
            finally:
                second.kill()
            stderr = second.stderr.read().decode() if second.stderr else ""
        first.stdin.write(lines(_input(_orgs(3))[2:]).encode())
        first.stdin.close()
        assert first.wait(timeout=120) == 0

    assert code != 0
    # What the target says: not INFO, not the SDK's Python warnings (its end-of-life notice
    # for Python 3.10 comes at every start there).
    said = [
        line
        for line in stderr.splitlines()
        if line.strip() and "| INFO " not in line and "| py.warnings " not in line
    ]
    assert len(said) == 1, stderr
    assert "is in use by another run" in said[0]
    assert "Traceback" not in stderr
    assert "OperationalError" not in stderr
    names = sorted(o["name"] for o in list_all(client, contract.organizations_path()))
    assert names == ["Client 0", "Client 1", "Client 2"]


def test_two_runs_with_their_own_id_maps_at_once_create_each_once(empty_account, client, tmp_path):
    data = lines(_input(_orgs(30))).encode()
    procs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        config = _config_file(target_config(empty_account, tmp_path / name), tmp_path / name / "c")
        procs.append(
            subprocess.Popen(
                [BIN, "--config", config],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    # Both read the same input at the same moment.
    feeders = [threading.Thread(target=p.communicate, args=(data,)) for p in procs]
    for feeder in feeders:
        feeder.start()
    for feeder in feeders:
        feeder.join(timeout=300)

    assert [p.returncode for p in procs] == [0, 0]
    slugs = sorted(o["slug"] for o in list_all(client, contract.organizations_path()))
    assert slugs == sorted(o["slug"] for o in _orgs(30))
    assert read_rejects(tmp_path / "a") == read_rejects(tmp_path / "b") == []


def test_a_second_copy_with_its_own_id_map_finds_what_the_first_made(
    empty_account, client, tmp_path
):
    """A slug taken by the same organization, match_on by type name: found, not created."""
    contacts = [
        {"id": i, "organization_id": f"org-{i}", "first_name": "Pat", "last_name": f"No {i}"}
        | {"important": False}
        for i in range(3)
    ]
    extra = {
        "stream_asset_types": {"contacts": CONTACT},
        "match_on": {CONTACT: ["organization_id", "first_name", "last_name"]},
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = run_target(
        target_config(empty_account, tmp_path / "a", **extra), _input(_orgs(3), contacts)
    )
    assert first.count("contacts", "created") == 3
    changed = [{**c, "title": "Boss"} for c in contacts]

    second = run_target(
        target_config(empty_account, tmp_path / "b", **extra), _input(_orgs(3), changed)
    )

    assert (second.count("organizations", "created"), second.count("contacts", "created")) == (0, 0)
    assert second.count("organizations", "unchanged") == 3
    assert second.count("contacts", "updated") == 3
    assert len(list_all(client, contract.organizations_path())) == 3
    people = list_all(client, contract.assets_path(CONTACT))
    assert sorted(p["title"] for p in people) == ["Boss"] * 3
    assert read_rejects(tmp_path / "b") == []


def test_a_create_refused_for_its_slug_by_the_same_organization_is_found(
    empty_account, client, tmp_path
):
    """Two source records of one organization (same slug and name): the second create gets
    409, finds the first's organization and records it, instead of a reject."""
    twins = [_orgs(1)[0], {**_orgs(1)[0], "id": "org-twin", "notes": "from the twin"}]

    run = run_target(target_config(empty_account, tmp_path), _input(twins))

    assert read_rejects(tmp_path) == []
    assert (run.count("organizations", "created"), run.count("organizations", "updated")) == (1, 1)
    [org] = list_all(client, contract.organizations_path())
    assert org["notes"] == "from the twin"


def _psa(count: int) -> list[dict]:
    """A PSA export: companies without slug, one person each, ids from one sequence per table."""
    companies = [
        {"id": i, "name": f"Company {i}", "type": "client", "status": "active"}
        for i in range(1, count + 1)
    ]
    people = [
        {"id": i, "organization_id": i, "first_name": "Sam", "last_name": f"Person {i}"}
        | {"important": False}
        for i in range(1, count + 1)
    ]
    return [
        schema("companies"),
        *[record("companies", c) for c in companies],
        schema("people"),
        *[record("people", p) for p in people],
    ]


PSA_SETTINGS = {
    "stream_asset_types": {"companies": "organizations", "people": CONTACT},
    # Nothing unique in Lexful places these: no slug, and a contact has no key of its own.
    "match_on": {"companies": ["name"], CONTACT: ["organization_id", "first_name", "last_name"]},
}


class Gate:
    """Each run's creates wait until the other run has sent its own: both runs are past their
    lookups (none found) before either writes, as when two runs start at the same moment."""

    def __init__(self, runs: list[str], paths: list[str]) -> None:
        self.arrived = {(run, path): threading.Event() for run in runs for path in paths}
        self.runs = runs

    def route(self, run: str) -> Callable[[Seen, Callable[[], Upstream]], Answer | None]:
        def hold(seen: Seen, _forward: Callable[[], Upstream]) -> Answer | None:
            path = seen.path.split("?")[0]
            if seen.method == "POST" and (run, path) in self.arrived:
                self.arrived[run, path].set()
                for other in self.runs:
                    self.arrived[other, path].wait(timeout=60)
            return None  # forwarded to the sandbox

        return hold


def test_two_runs_with_their_own_id_maps_converge_on_what_match_on_places(
    empty_account, client, tmp_path
):
    """Organizations without slug and assets, both placed by match_on, copied by two runs
    with their own id maps at the same moment: one record each in Lexful, every source
    record of both runs mapped to it, and a second run of each writes nothing."""
    count = 40
    messages = _psa(count)
    runs = {name: tmp_path / name for name in ("a", "b")}
    configs = {}
    for name, tmp in runs.items():
        tmp.mkdir()
        configs[name] = target_config(empty_account, tmp, **PSA_SETTINGS)
    gate = Gate(list(runs), [contract.organizations_path(), contract.assets_path(CONTACT)])
    with ExitStack() as stack:
        procs = []
        for name, tmp in runs.items():
            proxy = stack.enter_context(hostile(gate.route(name), empty_account["api_url"]))
            config = _config_file({**configs[name], "api_url": proxy.url}, tmp / "c")
            procs.append(
                subprocess.Popen(
                    [BIN, "--config", config],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        data = lines(messages).encode()
        feeders = [threading.Thread(target=p.communicate, args=(data,)) for p in procs]
        for feeder in feeders:
            feeder.start()
        for feeder in feeders:
            feeder.join(timeout=300)

    assert [p.returncode for p in procs] == [0, 0]
    orgs = list_all(client, contract.organizations_path())
    people = list_all(client, contract.assets_path(CONTACT))
    assert (len(orgs), len(people)) == (count, count)
    assert sorted(o["name"] for o in orgs) == sorted(f"Company {i}" for i in range(1, count + 1))
    assert sorted(p["last_name"] for p in people) == sorted(
        f"Person {i}" for i in range(1, count + 1)
    )
    org_of = {o["name"]: o["id"] for o in orgs}
    assert {p["organization_id"] for p in people} == set(org_of.values())
    person_of = {p["last_name"]: p["id"] for p in people}
    expected = {
        **{("companies", str(i)): (DONE, org_of[f"Company {i}"]) for i in range(1, count + 1)},
        **{("people", str(i)): (DONE, person_of[f"Person {i}"]) for i in range(1, count + 1)},
    }
    for name, tmp in runs.items():
        assert read_rejects(tmp) == [], name
        with closing(IdMap(tmp / "id-map.sqlite", empty_account["account_id"])) as ids:
            mapped = {key: _state_and_target(ids.get(*key)) for key in expected}
        assert mapped == expected, name

    for name in runs:
        sent: list = []
        again = run_target(configs[name], messages, sent=sent)
        writes = [c[:2] for c in sent if c[0] != "GET" and not c[1].endswith("/auth/token")]
        assert writes == [], name
        assert again.count("companies", "unchanged") == again.count("people", "unchanged") == count


def _state_and_target(entry: Entry | None) -> tuple[str, str | None] | None:
    return None if entry is None else (entry.state, entry.target_id)
