"""Issue 25, finding 5: a record rejected at the end of a run for a reference that was neither
in the input nor in the workspace is written by the later run in which the reference arrives
(and rejected again, still kept, by a run in which it does not)."""

from __future__ import annotations

import json
from pathlib import Path

from lightfield_sandbox import Sandbox
from tests.lightfield.target.helpers import run_target, target_config
from tests.lightfield.target.test_meaning import by_name, links, singer

ACME = {"id": "a9", "fields": {"$name": "Acme"}}
ADA = {
    "id": "c9",
    "fields": {"$name": {"firstName": "Ada", "lastName": "Lovelace"}},
    "relationships": {"$account": ["a9"]},
}
STATE = json.dumps({"type": "STATE", "value": {"bookmarks": {"run": 1}}})


def _rejects(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "rejects.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def test_a_record_rejected_for_a_missing_reference_is_written_when_it_arrives(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    creds = demo_sandbox.new_account()
    config = target_config(creds, tmp_path)

    first, states = run_target(config, [*singer("contacts", [ADA]), STATE])
    assert first.engine.stats.total("rejected") == 1
    assert [r["stream"] for r in _rejects(tmp_path)] == ["contacts"]
    assert "relationships.$account=a9" in str(_rejects(tmp_path)[0]["error"])
    assert states == [{"bookmarks": {"run": 1}}], "the run's STATE was held back"
    assert "Ada Lovelace" not in by_name(creds, "/v1/contacts")

    # A run without the account: rejected again, still kept.
    again, _ = run_target(config, singer("notes", []))
    assert again.engine.stats.total("rejected") == 1
    assert "Ada Lovelace" not in by_name(creds, "/v1/contacts")

    # The account arrives: the contact is written, linked to it.
    later, _ = run_target(config, singer("accounts", [ACME]))
    assert later.engine.stats.total("created") == 2
    assert later.engine.stats.total("rejected") == 0
    account = by_name(creds, "/v1/accounts")["Acme"]
    contact = by_name(creds, "/v1/contacts")["Ada Lovelace"]
    assert links(contact, "$account") == [account["id"]]

    last, _ = run_target(config, singer("notes", []))
    assert last.engine.stats.total("created") == last.engine.stats.total("rejected") == 0
