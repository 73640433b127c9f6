"""Links and files under ACTIVATE_VERSION: what a run no longer sends is deleted, nothing else.

The input is what tap-lexful sends with ``children: all_parents``: ACTIVATE_VERSION V before
the links and files and again after the last one, V in every RECORD of those streams. The runs
go over real HTTP into an empty account of the sandbox, and every check reads the account back
through the API.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.child_versions import (
    CONTACT,
    LINK_KEY,
    REQUIRED,
    Source,
    activate,
    children,
    people,
    source_messages,
)
from tests.lexful.target.helpers import lines, read_rejects, run_target, target_config

# -- the destination, read back through the API --------------------------------------------------


def _links(client: Any) -> set[tuple[str, str]]:
    """Every link in the account, as (first name, first name)."""
    found = people(client)
    names = {p["id"]: name for name, p in found.items()}
    return {
        (name, names[link["asset_id"]])
        for name, p in found.items()
        for link in list_all(client, contract.related_path(CONTACT, p["id"]))
    }


def _files(client: Any) -> set[tuple[str, str]]:
    """Every file in the account, as (first name of its contact, file name)."""
    return {
        (name, f["name"])
        for name, p in people(client).items()
        for f in list_all(client, contract.files_path(CONTACT, p["id"]))
    }


def _add_directly(client: Any) -> None:
    """A contact and a link made in the destination itself, not by the target: never deleted."""
    found = people(client)
    body = {"organization_id": found["Ada"]["organization_id"], "first_name": "Cy", **REQUIRED}
    cy = client.send_json("POST", contract.assets_path(CONTACT), body)
    path = contract.related_path(CONTACT, found["Ada"]["id"])
    client.send_json("PUT", path, [{"asset_id": cy["id"], "description": "made by hand"}])


ALL_LINKS = {("Ada", "Bob"), ("Bob", "Ada")}
ALL_FILES = {("Ada", "ada.txt"), ("Bob", "bob.txt")}


def _first_run(src: Source, config: dict, client: Any) -> None:
    run = run_target(config, source_messages(src, src.full_links(), src.full_files(), 1))
    assert run.count("related_assets", "created") == 2
    assert run.count("files", "created") == 2
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)


def _deletes(calls: Any) -> list[str]:
    return sorted(path for method, path in calls.writes() if method == "DELETE")


# -- tests ---------------------------------------------------------------------------------------


def test_a_versioned_run_deletes_exactly_what_it_no_longer_sends(
    empty_account, client, calls, tmp_path
):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    _add_directly(client)
    ada, bob = (people(client)[name]["id"] for name in ("Ada", "Bob"))
    bob_file = list_all(client, contract.files_path(CONTACT, bob))[0]["id"]
    calls.reset()

    run = run_target(config, source_messages(src, src.full_links()[:1], src.full_files()[:1], 2))

    assert read_rejects(tmp_path) == []
    assert _deletes(calls) == sorted(
        [contract.related_path(CONTACT, bob, ada), contract.files_path(CONTACT, bob, bob_file)]
    )
    assert _links(client) == {("Ada", "Bob"), ("Ada", "Cy")}  # Cy's link was made by hand: kept
    assert _files(client) == {("Ada", "ada.txt")}
    for stream in ("related_assets", "files"):
        assert (run.count(stream, "deleted"), run.count(stream, "unchanged")) == (1, 1)


def test_what_was_deleted_is_not_deleted_twice_and_comes_back(
    empty_account, client, calls, tmp_path
):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    run_target(config, source_messages(src, src.full_links()[:1], src.full_files()[:1], 2))
    calls.reset()

    again = run_target(config, source_messages(src, src.full_links()[:1], src.full_files()[:1], 3))
    back = run_target(config, source_messages(src, src.full_links(), src.full_files(), 4))

    assert _deletes(calls) == []  # marked deleted in the id map: never sent twice
    assert again.count("related_assets", "deleted") == again.count("files", "deleted") == 0
    assert back.count("related_assets", "created") == back.count("files", "created") == 1
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)


def test_a_pass_cut_short_deletes_nothing(empty_account, client, calls, tmp_path):
    """The tap failed mid-pass and Meltano closed the input: no closing ACTIVATE_VERSION."""
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    calls.reset()
    messages = source_messages(src, [], [], None)[:4]  # organizations and contacts
    messages += children("related_assets", LINK_KEY, src.full_links()[:1], 2, whole=False)

    run = run_target(config, messages)

    assert _deletes(calls) == []
    assert run.count("related_assets", "deleted") == 0
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)


def test_a_run_without_activate_version_deletes_nothing(empty_account, client, calls, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    calls.reset()

    # Today's incremental mode: only what changed is sent, so what is missing is no removal.
    run = run_target(config, source_messages(src, src.full_links()[:1], [], None))

    assert _deletes(calls) == []
    assert run.count("related_assets", "deleted") == run.count("files", "deleted") == 0
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)


def test_a_target_stopped_before_the_end_of_its_input_deletes_nothing(
    empty_account, client, tmp_path
):
    src, config = Source(), target_config(empty_account, tmp_path, batch_size_rows=1)
    _first_run(src, config, client)
    messages = source_messages(src, src.full_links()[:1], src.full_files()[:1], 2)
    # A STATE after the last child record, then one more record: the STATE comes out once
    # every record before it is written (batch_size_rows 1), so it says they all were.
    messages += [{"type": "STATE", "value": {"at": "children sent"}}, messages[1]]

    rc = _run_and_stop_after(tmp_path, config, messages, {"at": "children sent"})

    assert rc == 128 + signal.SIGTERM
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)
    # The same input read to its end: the deletes were only waiting for the end.
    run = run_target(config, messages)
    assert run.count("related_assets", "deleted") == run.count("files", "deleted") == 1
    assert (_links(client), _files(client)) == ({("Ada", "Bob")}, {("Ada", "ada.txt")})


def _run_and_stop_after(tmp: Path, config: dict, messages: list, wanted: dict) -> int:
    """target-lexful as a command whose input never ends; SIGTERM once it printed ``wanted``."""
    (tmp / "config.json").write_text(json.dumps(config))
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "target-lexful"), "--config", "config.json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:  # written and flushed, never closed: no end of input
        stdin.write(lines(messages))
        stdin.flush()

    threading.Thread(target=feed, daemon=True).start()
    watchdog = threading.Timer(60, proc.kill)  # a target that hangs fails the test, not CI
    watchdog.start()
    printed = []
    try:
        for line in proc.stdout:
            printed.append(json.loads(line))
            if printed[-1] == wanted:
                proc.send_signal(signal.SIGTERM)
                break
        rc = proc.wait(30)
    finally:
        watchdog.cancel()
        stdin.close()
    assert wanted in printed, f"the target stopped before it wrote everything: {printed}"
    return rc


def test_dry_run_plans_the_deletes_and_sends_none(empty_account, client, calls, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    messages = source_messages(src, src.full_links()[:1], src.full_files()[:1], 2)
    calls.reset()

    plan = run_target({**config, "dry_run": True}, messages)

    assert calls.writes() == []
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)
    planned = [line for line in plan.target.engine.plan_lines if "would delete" in line]
    assert len(planned) == 2
    assert any(f"related_assets {src.ids['Bob']}->{src.ids['Ada']}" in x for x in planned)
    assert any(f"files {src.file('Bob', 'bob.txt')['id']}" in x for x in planned)
    assert plan.count("related_assets", "deleted") == plan.count("files", "deleted") == 1
    # The plan marked nothing in the real id map: the real run deletes the same two.
    run = run_target(config, messages)
    assert run.count("related_assets", "deleted") == run.count("files", "deleted") == 1


def test_deleted_at_deletes_that_link_and_that_file(empty_account, client, calls, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    run_target(config, source_messages(src, src.full_links(), src.full_files(), None))
    gone = {"_sdc_deleted_at": "2024-05-01T00:00:00Z"}
    links = [src.link("Ada", "Bob"), {**src.link("Bob", "Ada"), **gone}]
    never = {**src.link("Ada", "Ada"), **gone}  # deleted before it was ever copied
    files = [src.file("Ada", "ada.txt"), {**src.file("Bob", "bob.txt"), **gone}]

    run = run_target(config, source_messages(src, [*links, never], files, None))

    assert run.count("related_assets", "deleted") == run.count("files", "deleted") == 1
    assert (_links(client), _files(client)) == ({("Ada", "Bob")}, {("Ada", "ada.txt")})
    assert (read_rejects(tmp_path), run.count("related_assets", "skipped")) == ([], 1)
    calls.reset()
    again = run_target(config, source_messages(src, links, files, None))
    assert _deletes(calls) == []
    assert again.count("related_assets", "unchanged") == again.count("files", "unchanged") == 2


def test_a_link_and_a_file_already_gone_count_as_deleted(empty_account, client, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    ada, bob = (people(client)[name]["id"] for name in ("Ada", "Bob"))
    client.request("DELETE", contract.related_path(CONTACT, bob, ada))
    for f in list_all(client, contract.files_path(CONTACT, bob)):
        client.request("DELETE", contract.files_path(CONTACT, bob, f["id"]))

    run = run_target(config, source_messages(src, src.full_links()[:1], src.full_files()[:1], 2))

    assert read_rejects(tmp_path) == []  # the 404s mean gone, as asked
    assert run.count("related_assets", "deleted") == run.count("files", "deleted") == 1


def test_an_unidentified_reject_keeps_its_stream_from_deleting(
    empty_account, client, calls, tmp_path
):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    messages = source_messages(src, src.full_links()[:1], src.full_files()[:1], 2)
    # A link record the target cannot read: it may be the one a delete would remove.
    messages.append({"type": "RECORD", "stream": "related_assets", "record": "?", "version": 2})
    calls.reset()

    run = run_target(config, messages)

    assert len(read_rejects(tmp_path)) == 1
    assert _links(client) == ALL_LINKS
    assert run.count("related_assets", "deleted") == 0
    assert run.count("files", "deleted") == 1  # the files stream was read whole
    assert _files(client) == {("Ada", "ada.txt")}


@pytest.mark.parametrize("stream", ["system_contact", "organizations"])
def test_activate_version_of_other_streams_deletes_nothing(
    empty_account, client, tmp_path, caplog, stream
):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    # Only a contact and no child: were the version honoured, the other contact would go.
    messages = source_messages(src, [], [], None)
    messages = [*messages[:3], activate(stream, 9), messages[3], _version(messages[3], 9)]

    run_target(config, messages)

    assert f"ACTIVATE_VERSION of {stream!r} ignored" in caplog.text
    assert len(people(client)) == 2
    assert len(list_all(client, contract.organizations_path())) == 1
    assert (_links(client), _files(client)) == (ALL_LINKS, ALL_FILES)


def _version(message: dict | str, version: int) -> dict:
    assert isinstance(message, dict)
    return {**message, "version": version}


def test_an_id_map_of_an_older_target_gains_the_columns(empty_account, client, caplog, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    _first_run(src, config, client)
    with sqlite3.connect(tmp_path / "id-map.sqlite") as db:  # as an older target left it
        db.execute("ALTER TABLE ids DROP COLUMN version")
        db.execute("ALTER TABLE ids DROP COLUMN parent_id")

    run = run_target(config, source_messages(src, src.full_links()[:1], src.full_files()[:1], 2))

    # A link's asset is found again through the id map; a file's is not known: it stays.
    assert run.count("related_assets", "deleted") == 1
    assert run.count("files", "deleted") == 0
    assert "its asset is not in the id map" in caplog.text
    assert (_links(client), _files(client)) == ({("Ada", "Bob")}, ALL_FILES)
