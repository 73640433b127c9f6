"""What a new user's trial of the pair found: a setting changed between runs, a dry run's plan
for emails, bodies turned on later, the reason of a reject whose reference was rejected, and
the end-of-run log and warnings about settings that cannot do what they say."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lightfield_sandbox import Sandbox
from tests.lightfield.target.helpers import (
    WriteCounter,
    count_per_collection,
    id_pairs,
    member_pairs,
    members,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
    workspace,
)


def _rejects(tmp: Path) -> list[dict[str, Any]]:
    path = tmp / "rejects.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def _note_links(source: dict[str, str], copy: dict[str, str]) -> tuple[list[str], list[str]]:
    """Each note's $opportunity links in the source (ids mapped to the copy's) and the copy."""
    src, dst = workspace(source), workspace(copy)
    ids = id_pairs(src, dst, member_pairs(members(source), members(copy)))

    def text(record: dict[str, Any], mapped: bool) -> str:
        links = record["relationships"].get("$opportunity", [])
        return json.dumps(
            [
                record["fields"]["$title"],
                sorted(ids.get(i, f"unmapped:{i}") if mapped else i for i in links),
            ]
        )

    return sorted(text(n, True) for n in src["notes"]), sorted(text(n, False) for n in dst["notes"])


def test_a_reject_of_an_earlier_run_waits_for_its_record(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Run 1 (``unknown_members: reject``) rejects the opportunities; run 2, same input and id
    map with ``omit``, writes them. The notes come before the opportunities: they wait for
    them instead of being written without their links ("rejected itself"). Nothing lost."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    lines = tap_lines(source)
    streams = [json.loads(x)["stream"] for x in lines if json.loads(x)["type"] == "SCHEMA"]
    assert streams.index("notes") < streams.index("opportunities")  # the order that lost them
    run_target(target_config(creds, tmp_path, unknown_members="reject"), lines)
    assert Counter(r["stream"] for r in _rejects(tmp_path))["opportunities"] == 6

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        second, _ = run_target(target_config(creds, tmp_path, unknown_members="omit"), lines)
    assert second.engine.stats.streams["opportunities"]["created"] == 6
    assert second.engine.stats.streams["notes"].get("omitted_references", 0) == 0
    assert not [w for w in _warnings(caplog) if "$opportunity" in w], _warnings(caplog)
    want, got = _note_links(source, creds)
    assert any("unmapped" not in w and "[]]" not in w for w in want), "no note links to compare"
    assert got == want
    assert (
        count_per_collection(creds)["opportunities"]
        == count_per_collection(source)["opportunities"]
    )


def test_a_reject_of_an_earlier_run_not_in_this_input_is_left_out_at_the_end(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The same, but run 2's input has no opportunities (an incremental run): the notes wait
    to the end of input, then are written without those links (a warning naming the earlier
    reject), never rejected as unresolved."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    lines = tap_lines(source)
    run_target(target_config(creds, tmp_path, unknown_members="reject"), lines)
    first = len(_rejects(tmp_path))
    without = [x for x in lines if json.loads(x).get("stream") not in ("opportunities", "notes")]
    notes = [x for x in lines if json.loads(x).get("stream") == "notes"]
    (tmp_path / "rejects.jsonl").unlink()
    caplog.clear()
    changed = []
    for line in notes:  # the notes changed in the source since: sent again
        message = json.loads(line)
        if message["type"] == "RECORD":
            message["record"]["fields"]["$title"] += " (edited)"
        changed.append(json.dumps(message))
    with caplog.at_level(logging.WARNING):
        second, _ = run_target(
            target_config(creds, tmp_path, unknown_members="omit"), without + changed
        )
    assert first > 0
    assert not [r for r in _rejects(tmp_path) if r["stream"] == "notes"]
    assert second.engine.stats.streams["notes"]["updated"] == 6
    told = [w for w in _warnings(caplog) if "written without relationships.$opportunity" in w]
    assert told
    assert all("was rejected: " in w for w in told), told


def test_dry_run_plans_the_emails_the_run_refuses(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    """Default settings into an empty workspace: the emails without a member participant are
    refused by the log [D]; the dry run plans the same (created and rejected, per stream)."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    lines = tap_lines(source, files_content="inline")
    dry, _ = run_target(target_config(creds, tmp_path / "dry", dry_run=True), lines)
    real, _ = run_target(target_config(creds, tmp_path / "real"), lines)
    assert real.engine.stats.streams["emails"]["rejected"] == 2
    for stream, row in real.engine.stats.streams.items():
        planned = dry.engine.stats.streams[stream]
        for what in ("created", "rejected"):
            assert planned[what] == row[what], (stream, what)
    reasons = {r["error"] for r in _rejects(tmp_path / "real") if r["stream"] == "emails"}
    assert reasons
    assert all("one participant must be a workspace member" in r for r in reasons)


def test_bodies_turned_on_later_are_not_a_silent_unchanged(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy made without ``email_bodies``; a full run with it: a logged email cannot be
    updated (no email update in the API [D]), so the run says so once and counts them
    ``not_updatable``, not ``unchanged``."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    with_demo_members(demo_sandbox, creds)
    config = target_config(creds, tmp_path)
    first, _ = run_target(config, tap_lines(source))
    logged = first.engine.stats.streams["emails"]["created"]
    assert logged == 4
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        second, _ = run_target(config, tap_lines(source, email_bodies=True))
    row = second.engine.stats.streams["emails"]
    assert row["unchanged"] == 0
    assert row["not_updatable"] == logged
    told = [w for w in _warnings(caplog) if "cannot be updated" in w]
    assert len(told) == 1, told
    assert "$body" in told[0]


def test_a_reject_names_the_reject_it_follows_from(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``unknown_members: reject``: an opportunity whose account was rejected is rejected
    naming that account and its reason, not "$account is required" alone; and no log line
    says it was written without that account."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    with caplog.at_level(logging.WARNING):
        run_target(target_config(creds, tmp_path, unknown_members="reject"), tap_lines(source))
    rejects = _rejects(tmp_path)
    accounts = {r["record"]["id"]: r["error"] for r in rejects if r["stream"] == "accounts"}
    required = [r for r in rejects if "$account is required" in r["error"]]
    assert required, "no opportunity rejected for its account"
    for reject in required:
        account = reject["record"]["relationships"]["$account"][0]
        assert f"its account {account} was rejected: {accounts[account]}" in reject["error"]
    refused = {r["record"]["id"] for r in rejects if "id" in r["record"]}
    for warning in _warnings(caplog):
        if "written without" in warning:
            assert not any(f"record {i} " in warning for i in refused), warning


def test_default_run_tells_why_and_logs_a_line_a_row(
    demo_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Default settings (sam and riley unknown): a task refused for its required assignee says
    that the assignee is a member the workspace lacks; ``match_on`` for lists and files and a
    ``member_map`` to no member are warned about once, at the start; the end-of-run table is
    a log line per row, with no escaped line break."""
    source = demo_sandbox.config
    creds = demo_sandbox.new_account()
    config = target_config(
        creds,
        tmp_path,
        match_on={"lists": ["$name"], "files": ["filename"], "accounts": ["$name"]},
        member_map={"sam@example.com": "nobody@dest.example"},
    )
    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    with caplog.at_level(logging.INFO):
        run_target(config, tap_lines(source, files_content="inline"))
    writes.armed = False
    tasks = [r for r in _rejects(tmp_path) if r["stream"] == "tasks"]
    assert tasks
    for reject in tasks:
        member = reject["record"]["relationships"]["$assignedTo"][0]
        assert f"its member {member} is not in the workspace" in reject["error"], reject["error"]
    warned = _warnings(caplog)
    for stream in ("lists", "files"):
        assert len([w for w in warned if f"match_on for stream {stream!r} is ignored" in w]) == 1
    assert not [w for w in warned if "match_on for stream 'accounts'" in w]
    unmapped = [w for w in warned if "nobody@dest.example is not a member" in w]
    assert len(unmapped) == 1, warned
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "\\x0a" in m]
    heading = messages.index("target-lightfield summary:")
    assert messages[heading + 1].split()[:3] == ["stream", "created", "updated"]
    rows = {m.split()[0] for m in messages[heading + 2 : heading + 20]}
    assert {"accounts", "emails", "tasks"} <= rows
