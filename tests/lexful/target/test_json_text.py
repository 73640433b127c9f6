"""Properties a source sends as JSON text (``contentMediaType: application/json``).

tap-lexful sends a property of a type it does not know as its JSON text, the one column type
every loader takes. target-lexful writes the value behind the text, and rejects a text that is
no JSON, saying which property.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lexful_api import LexfulClient, contract
from tests.lexful.client import list_all
from tests.lexful.target.helpers import (
    org_record,
    person_record,
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)

JSON_TEXT = {"type": ["string", "null"], "contentMediaType": "application/json"}


def test_the_value_behind_the_text_is_written_and_a_bad_text_rejected(
    empty_account: dict[str, Any], client: LexfulClient, tmp_path: Path
) -> None:
    org = org_record("Acme")
    methods = [{"type": "Email", "value": "ada@example.com"}]
    good = {**person_record(org, "Ada"), "contact_methods": json.dumps(methods)}
    bad = {**person_record(org, "Alan"), "contact_methods": "[{'type': 'Email'}]"}
    messages = [
        schema("organizations"),
        record("organizations", org),
        schema("system_contact", props={"contact_methods": JSON_TEXT}),
        record("system_contact", good),
        record("system_contact", bad),
    ]

    run = run_target(target_config(empty_account, tmp_path), messages)

    (written,) = list_all(client, contract.assets_path("system.contact"))
    assert (written["first_name"], written["contact_methods"]) == ("Ada", methods)
    (rejected,) = read_rejects(tmp_path)
    assert rejected["record"]["first_name"] == "Alan"
    assert "contact_methods: the schema says JSON text, but it is not JSON" in rejected["error"]
    assert run.count("system_contact", "created") == 1
