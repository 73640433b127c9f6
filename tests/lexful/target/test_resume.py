"""A run killed in the middle and started again from its last STATE: exactly one copy of each."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from lexful_api import LexfulAuthError, contract
from sandbox_core.keys import hash_key
from target_lexful.target import TargetLexful
from tests.lexful.client import client_for, list_all
from tests.lexful.target.helpers import (
    lines,
    org_record,
    person_record,
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)

ORGS, CONTACTS_PER_ORG = 30, 4


def _input() -> list[dict]:
    """Organizations then contacts, with a STATE after every 10 records: {"next": position}."""
    orgs = [org_record(f"Org {i}") for i in range(ORGS)]
    contacts = [person_record(o, f"P{j}") for o in orgs for j in range(CONTACTS_PER_ORG)]
    body = [record("organizations", o) for o in orgs] + [
        record("system_contact", c) for c in contacts
    ]
    out: list[dict] = []
    for i, message in enumerate(body, 1):
        out.append(message)
        if i % 10 == 0:
            out.append({"type": "STATE", "value": {"next": i}})
    return out


SCHEMAS = [schema("organizations"), schema("system_contact")]


def _resume_from(messages: list[dict], state: dict | None) -> list[dict]:
    """What a tap resumed from ``state`` sends: everything after that position."""
    done = state["next"] if state else 0
    records = [m for m in messages if m["type"] == "RECORD"]
    rest = [m for m in messages if m["type"] != "RECORD" or records.index(m) >= done]
    return SCHEMAS + rest


def _assert_exactly_once(client) -> None:
    orgs = Counter(o["name"] for o in list_all(client, contract.organizations_path()))
    assert len(orgs) == ORGS
    assert set(orgs.values()) == {1}
    people = list_all(client, contract.assets_path("system.contact"))
    assert len(people) == ORGS * CONTACTS_PER_ORG
    assert len({(p["first_name"], p["last_name"]) for p in people}) == len(people)


def test_killed_run_resumes_without_loss_or_duplicates(own_sandbox, tmp_path) -> None:
    own_sandbox.set_faults(latency_ms=15)
    account = own_sandbox.new_account()
    client = client_for(account)
    config = target_config(account, tmp_path, batch_size_rows=10, max_concurrency=4)
    (tmp_path / "config.json").write_text(json.dumps(config))
    messages = SCHEMAS + _input()

    states = _run_and_kill(tmp_path, messages, after_states=3)

    assert states, "the killed run emitted no STATE before it was killed"
    written = len(list_all(client, contract.assets_path("system.contact")))
    assert written < ORGS * CONTACTS_PER_ORG, "the run finished before it was killed"
    own_sandbox.set_faults(latency_ms=0)
    rest = _resume_from(messages, states[-1])
    run_target(config, rest)
    assert read_rejects(tmp_path) == []
    _assert_exactly_once(client)


def test_a_create_whose_id_was_never_recorded_is_found_not_repeated(
    empty_account, client, tmp_path
) -> None:
    config = target_config(empty_account, tmp_path)
    messages = SCHEMAS + _input()
    run_target(config, messages)
    # As if every POST had succeeded and the process died before writing the id map.
    with sqlite3.connect(tmp_path / "id-map.sqlite") as db:
        db.execute("UPDATE ids SET state='intent', target_id=NULL, body_hash=NULL")

    again = run_target(config, messages)

    assert again.count("organizations", "created") == 0
    assert again.count("system_contact", "created") == 0
    _assert_exactly_once(client)


def _run_and_kill(tmp_path: Path, messages: list[dict], after_states: int) -> list[dict]:
    """Feed the target as a subprocess; SIGKILL it once it has emitted ``after_states`` STATEs."""
    target = Path(sys.executable).parent / "target-lexful"
    proc = subprocess.Popen(
        [str(target), "--config", str(tmp_path / "config.json")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None

    def feed() -> None:
        try:
            proc.stdin.write(lines(messages))
            proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    states = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        states.append(json.loads(line))
        if len(states) >= after_states or time.monotonic() > deadline:
            time.sleep(0.05)  # let some writes of the next batch be in flight
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(10)
    return states


def test_a_fatal_error_keeps_the_state_already_earned(own_sandbox, tmp_path) -> None:
    """The key is revoked mid-run: the run stops, but the STATE it emitted before stands."""
    account = own_sandbox.new_account()
    client = client_for(account)
    config = target_config(account, tmp_path, batch_size_rows=10, max_concurrency=2)
    messages = SCHEMAS + _input()
    revoke = "UPDATE accounts SET key_secret = ? WHERE id = ?"

    armed = [True]  # hooks cannot be removed: this one fires once

    def revoke_on_first_contact(method: str, path: str, query: dict) -> None:
        if armed[0] and method == "POST" and path.endswith("/system.contact"):
            armed[0] = False
            own_sandbox.store.execute(revoke, ("revoked", account["account_id"]))

    own_sandbox.add_hook(revoke_on_first_contact)
    own_sandbox.set_faults(token_ttl=1, latency_ms=10)
    out = io.StringIO()
    with pytest.raises(LexfulAuthError), contextlib.redirect_stdout(out):
        TargetLexful(config=config).listen(io.StringIO(lines(messages)))
    states = [json.loads(line) for line in out.getvalue().splitlines()]
    assert states
    assert states[-1]["next"] >= ORGS  # the organizations' STATE was emitted before the stop

    # The key back (the store keeps its hash).
    own_sandbox.store.execute(revoke, (hash_key(account["api_key_secret"]), account["account_id"]))
    own_sandbox.set_faults(token_ttl=3600, latency_ms=0)
    run_target(config, _resume_from(messages, states[-1]))
    _assert_exactly_once(client)
