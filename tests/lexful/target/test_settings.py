"""Settings are documented, and no secret reaches a log, the rejects file or STATE."""

from __future__ import annotations

import json
import logging
import uuid

from target_lexful.target import TargetLexful
from tests.lexful.client import create_organization
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config

SETTINGS = (
    "api_url",
    "account_id",
    "api_key_id",
    "api_key_secret",
    "stream_asset_types",
    "match_on",
    "id_map_path",
    "create_asset_types",
    "on_record_error",
    "rejects_path",
    "dry_run",
    "max_concurrency",
    "max_requests_per_second",
    "batch_size_rows",
)


def test_every_setting_is_described_and_the_secret_is_marked() -> None:
    properties = TargetLexful.config_jsonschema["properties"]
    for name in SETTINGS:
        assert properties[name].get("description"), name
    assert properties["api_key_secret"].get("secret") is True
    assert set(TargetLexful.config_jsonschema["required"]) == {
        "account_id",
        "api_key_id",
        "api_key_secret",
    }


def test_no_secret_in_logs_rejects_or_state(empty_account, client, tmp_path, caplog) -> None:
    org = create_organization(client, "S")
    bad = {"id": str(uuid.uuid4()), "organization_id": org["id"], "first_name": "X"}
    messages = [
        schema("system_contact"),
        record("system_contact", {**bad, "important": "maybe", "contact_type": "Nemesis"}),
        {"type": "STATE", "value": {"at": 1}},
    ]
    with caplog.at_level(logging.DEBUG):
        run = run_target(target_config(empty_account, tmp_path), messages)

    token = run.target.engine.client.auth.token()
    written = caplog.text + json.dumps(read_rejects(tmp_path)) + json.dumps(run.states)
    assert empty_account["api_key_secret"] not in written
    assert token not in written
    assert "target-lexful summary" in caplog.text
    assert len(read_rejects(tmp_path)) == 1
