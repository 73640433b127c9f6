"""A copy into a workspace whose members differ (member_map, unknown_members), bodies the
API accepts (skipEnrichment), and deletes: a record trashed in the source trashes its copy."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.resources import workspaces
from lightfield_sandbox.resources.actor import Actor
from tests.lightfield.tap.helpers import Reader, flattened
from tests.lightfield.target.helpers import (
    COMPARED,
    WriteCounter,
    assert_lists_equal,
    comparable,
    count_per_collection,
    files,
    id_pairs,
    member_pairs,
    members,
    run_target,
    tap_lines,
    target_config,
    workspace,
)

HEADERS = {"Lightfield-Version": "2026-03-01"}
WRITTEN = ("accounts", "contacts", "opportunities", "notes", "meetings", "project", "files")


def _rejects(tmp: Path) -> list[dict[str, Any]]:
    path = tmp / "rejects.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _member_ids(creds: dict[str, str]) -> dict[str, str]:
    return {m["id"]: m["fields"]["$email"]["value"] for m in Reader(creds).all("/v1/members")}


def _add_member(sandbox: Sandbox, creds: dict[str, str], name: str, email: str) -> None:
    key = sandbox.store.key(creds["api_key"])
    assert key is not None
    workspaces.member(Actor(sandbox.store, key.workspace_id, key.member_id), name, email, "MEMBER")


def test_members_that_differ_are_left_out_and_counted_not_cascaded(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """The destination has only its admin: sam and riley are unknown. Every account, contact,
    opportunity, note, meeting, list, file and custom record is written (their owners left
    out and counted); only what the API itself refuses without them is rejected: tasks whose
    required $assignedTo is one of them, emails with no workspace member among participants."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    lines = tap_lines(source, files_content="inline", email_bodies=True)
    target, _ = run_target(target_config(creds, tmp_path), lines)

    want, got = count_per_collection(source), count_per_collection(creds)
    for stream in (*WRITTEN, "lists", "list_members"):
        assert got[stream] == want[stream], stream
    assert target.engine.stats.total("omitted_members") > 0
    rejects = _rejects(tmp_path)
    reasons = Counter(r["stream"] for r in rejects)
    assert set(reasons) <= {"tasks", "emails"}, reasons
    unknown = {i for i, e in _member_ids(source).items() if e != "admin@example.com"}
    for reject in rejects:
        if reject["stream"] == "tasks":
            assert reject["record"]["relationships"]["$assignedTo"][0] in unknown
            assert "$assignedTo" in reject["error"]
        else:
            assert reject["record"]["fields"]["$from"] != "admin@example.com"
            assert "workspace member" in reject["error"]
    assert got["tasks"] + reasons["tasks"] == want["tasks"]
    assert got["emails"] + reasons["emails"] == want["emails"]
    refused = {r["record"]["id"] for r in rejects}
    omitted = _assert_equal_but_unknown_members(source, creds, unknown, refused)
    assert target.engine.stats.total("omitted_members") == omitted
    assert_lists_equal(source, creds)  # names, types and members, ids mapped
    _assert_emails_equal(source, creds, refused)

    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    again, _ = run_target(target_config(creds, tmp_path), lines)
    writes.armed = False
    # Nothing is written: the rejected emails are tried again and refused again, like the
    # tasks without their required $assignedTo, before any request (the log's rule [D]).
    assert writes.seen == []
    assert again.engine.stats.streams["emails"]["rejected"] == reasons["emails"]
    assert again.engine.stats.total("created") == again.engine.stats.total("updated") == 0
    assert count_per_collection(creds) == got


def _assert_equal_but_unknown_members(
    source: dict[str, str], creds: dict[str, str], unknown: set[str], refused: set[str]
) -> int:
    """Every written record's fields equal the source's, and its relationships too but for the
    members the copy lacks (and the refused records' other sides); how many member
    references were left out."""
    src, copy = workspace(source), workspace(creds)
    ids = id_pairs(src, copy, member_pairs(members(source), members(creds)))
    source_files, copy_files = files(source), files(creds)
    assert sorted(copy_files) == sorted(source_files)  # name, type, size, status and bytes
    ids |= {source_files[k]: copy_files[k] for k in source_files}
    left_out = 0
    for stream in COMPARED:
        want = []
        for record in src[stream]:
            if record["id"] in refused:  # a task whose required assignee is unknown
                continue
            relationships = {}
            for key, values in record["relationships"].items():
                kept = [v for v in values if v not in unknown]
                left_out += len(values) - len(kept)
                relationships[key] = [v for v in kept if v not in refused]
            want.append(comparable({**record, "relationships": relationships}, ids))
        got = [comparable(r) for r in copy[stream]]
        assert sorted(json.dumps(w, sort_keys=True) for w in want) == sorted(
            json.dumps(g, sort_keys=True) for g in got
        ), stream
    return left_out


def _assert_emails_equal(source: dict[str, str], creds: dict[str, str], refused: set[str]) -> None:
    """Every email but the refused is in the copy with the same fields, its body too (read one
    by one: lists leave it out [D])."""

    def emails(reader: Reader, skip: set[str]) -> list[str]:
        found = []
        for item in reader.all("/v1/emails"):
            if item["id"] in skip:
                continue
            one = flattened(reader.get(f"/v1/emails/{item['id']}"))
            found.append(json.dumps(comparable(one), sort_keys=True))
        return sorted(found)

    want = emails(Reader(source), refused)
    assert any('"$body": "<' in w for w in want), "no source email has a body: nothing compared"
    assert emails(Reader(creds), set()) == want


def test_member_map_writes_everything(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    _add_member(demo_sandbox, creds, "Robin New", "robin@dest.example")
    member_map = {"sam@example.com": "admin@example.com", "riley@example.com": "robin@dest.example"}
    lines = tap_lines(source, files_content="inline")
    config = target_config(creds, tmp_path, member_map=member_map)
    target, _ = run_target(config, lines)
    assert _rejects(tmp_path) == []
    assert target.engine.stats.total("omitted_members") == 0
    want, got = count_per_collection(source), count_per_collection(creds)
    for stream in (*WRITTEN, "tasks", "emails", "lists", "list_members"):
        assert got[stream] == want[stream], stream
    source_members, copy_members = _member_ids(source), _member_ids(creds)
    mapped = {"admin@example.com": "admin@example.com", **member_map}
    src_tasks = {
        t["fields"]["$title"]["value"]: t["relationships"]["$assignedTo"]["values"][0]
        for t in Reader(source).all("/v1/tasks")
    }
    for task in Reader(creds).all("/v1/tasks"):
        assignee = copy_members[task["relationships"]["$assignedTo"]["values"][0]]
        assert assignee == mapped[source_members[src_tasks[task["fields"]["$title"]["value"]]]]
    senders = sorted(e["fields"]["$from"]["value"] for e in Reader(creds).all("/v1/emails"))
    assert "riley@example.com" not in senders
    assert "robin@dest.example" in senders


def test_unknown_members_reject_rejects_the_record_alone(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Accounts owned by an unknown member are rejected for that reason; their contacts,
    opportunities and notes are written without the link to them (counted), not rejected."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    lines = tap_lines(source)
    config = target_config(creds, tmp_path, unknown_members="reject")
    target, _ = run_target(config, lines)
    rejects = _rejects(tmp_path)
    accounts = [r for r in rejects if r["stream"] == "accounts"]
    assert accounts
    assert all("unknown_members: reject" in r["error"] for r in accounts)
    assert count_per_collection(creds)["contacts"] == count_per_collection(source)["contacts"]
    assert target.engine.stats.total("omitted_references") > 0
    assert not [r for r in rejects if r["stream"] == "contacts"]


def test_skip_enrichment_on_account_and_contact_creates(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    real = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        path = url.split("/v1", 1)[-1]
        if method == "POST" and path in ("/accounts", "/contacts", "/notes"):
            sent.append((path, json.loads(kwargs["data"])))
        return real(self, method, url, **kwargs)

    lines = tap_lines(demo_sandbox.config)
    monkeypatch.setattr(requests.Session, "request", spy)
    run_target(target_config(demo_sandbox.new_account(), tmp_path / "on"), lines)
    off = target_config(demo_sandbox.new_account(), tmp_path / "off", skip_enrichment=False)
    marked = len(sent)
    run_target(off, lines)
    monkeypatch.undo()
    on_bodies, off_bodies = sent[:marked], sent[marked:]
    assert {p for p, _ in on_bodies} == {"/accounts", "/contacts", "/notes"}
    for path, body in on_bodies:
        assert body.get("skipEnrichment") is (True if path != "/notes" else None), path
        assert set(body) <= {"fields", "relationships", "skipEnrichment"}
    assert all("skipEnrichment" not in body for _, body in off_bodies)


@pytest.fixture
def source() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def test_deletes_and_updates_reach_the_copy(source: Sandbox, tmp_path: Path) -> None:
    """Run 1 copies; in the source an account and a meeting are trashed, a note gets another
    account and a meeting another privacy; run 2 (the tap from its state) trashes the copies
    and updates the rest with bodies the API accepts; run 3 writes nothing."""
    creds = source.new_account()
    config = target_config(creds, tmp_path, member_map={"sam@example.com": "admin@example.com"})
    _add_member(source, creds, "Riley Rep", "riley@example.com")
    tap_state: dict[str, Any] = {}

    def run() -> Any:
        nonlocal tap_state
        lines = tap_lines(
            source.config, state=tap_state or None, index_lag_seconds=0, files_content="inline"
        )
        states = [json.loads(x)["value"] for x in lines if json.loads(x)["type"] == "STATE"]
        tap_state = states[-1]
        return run_target(config, lines)[0]

    run()
    assert _rejects(tmp_path) == []
    api = source.config["api_url"] + "/v1"
    headers = {"Authorization": f"Bearer {source.api_key}", **HEADERS}
    reader = Reader(source.config)
    account = reader.all("/v1/accounts")[-1]
    meeting = reader.all("/v1/meetings")[0]
    other = reader.all("/v1/meetings")[1]
    note = reader.all("/v1/notes")[0]
    for path in (f"/accounts/{account['id']}", f"/meetings/{meeting['id']}"):
        assert requests.delete(api + path, headers=headers, timeout=10).status_code == 200
    extra = reader.all("/v1/accounts")[0]["id"]
    moved = requests.post(
        f"{api}/notes/{note['id']}",
        json={"relationships": {"$account": {"add": extra}}},
        headers=headers,
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    private = requests.post(
        f"{api}/meetings/{other['id']}",
        json={"fields": {"$privacySetting": "METADATA"}},
        headers=headers,
        timeout=10,
    )
    assert private.status_code == 200, private.text

    second = run()
    assert _rejects(tmp_path) == []
    assert second.engine.stats.streams["accounts"]["deleted"] == 1
    assert second.engine.stats.streams["meetings"]["deleted"] == 1
    copy = Reader(creds)
    trashed_names = [
        a["fields"]["$name"]["value"] for a in copy.all("/v1/accounts", status="trashed")
    ]
    assert trashed_names == [account["fields"]["$name"]["value"]]
    live = {a["fields"]["$name"]["value"] for a in copy.all("/v1/accounts")}
    assert account["fields"]["$name"]["value"] not in live
    assert [m["fields"]["$title"]["value"] for m in copy.all("/v1/meetings", status="trashed")] == [
        meeting["fields"]["$title"]["value"]
    ]
    copied = {m["fields"]["$title"]["value"]: m for m in copy.all("/v1/meetings")}
    assert copied[other["fields"]["$title"]["value"]]["fields"]["$privacySetting"]["value"] == (
        "METADATA"
    )
    names = {a["id"]: a["fields"]["$name"]["value"] for a in copy.all("/v1/accounts")}
    copied_note = next(
        n for n in copy.all("/v1/notes") if n["fields"]["$title"] == note["fields"]["$title"]
    )
    want = {
        a["fields"]["$name"]["value"]
        for a in reader.all("/v1/accounts")
        if a["id"] in (*note["relationships"]["$account"]["values"], extra)
    }
    assert {names[i] for i in copied_note["relationships"]["$account"]["values"]} == want

    third = run()
    assert third.engine.stats.total("created") == third.engine.stats.total("updated") == 0
    assert third.engine.stats.total("deleted") == 0
