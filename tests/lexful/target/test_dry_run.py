"""dry_run validates and prints the plan; it writes nothing and emits no STATE."""

from __future__ import annotations

import logging
import uuid

from lexful_api import contract
from tests.lexful.client import create_organization, list_all
from tests.lexful.target.helpers import org_record, record, run_target, schema, target_config


def test_dry_run_plans_without_writing(empty_account, client, calls, tmp_path, caplog) -> None:
    existing = create_organization(client, "Old")
    new = org_record("New")
    messages = [
        schema("organizations"),
        record("organizations", {**existing, "notes": "changed"}),
        record("organizations", new),
        schema("system_contact"),
        record("system_contact", _contact(new["id"])),
        record("system_contact", {**_contact(new["id"]), "id": "p2", "contact_type": "Nemesis"}),
        schema("users"),
        record("users", {"id": str(uuid.uuid4()), "email": "x@example.com"}),
        {"type": "STATE", "value": {"never": "emitted"}},
    ]
    config = target_config(empty_account, tmp_path, dry_run=True)
    calls.reset()

    with caplog.at_level(logging.INFO):
        run = run_target(config, messages)

    assert calls.writes() == []
    assert run.states == []
    assert not (tmp_path / "rejects.jsonl").exists()
    assert not (tmp_path / "id-map.sqlite").exists()
    plan = run.target.engine.plan_lines
    assert any(line.startswith("dry-run: would update organizations") for line in plan)
    assert any("would create organizations" in line and "New" in line for line in plan)
    assert any("would create system_contact" in line for line in plan)
    assert any("would reject users" in line for line in plan)
    assert any("would reject system_contact" in line and "Nemesis" in line for line in plan)
    assert [o["name"] for o in list_all(client, contract.organizations_path())] == ["Old"]


def _contact(org: str) -> dict:
    base = {"id": "p1", "organization_id": org, "important": False}
    return {**base, "first_name": "Ann", "last_name": "Lee"}
