"""A property of a type tap-lexful does not know, copied by ``tap-lexful | target-lexful``.

The tap sends such a property as its JSON text (one column type for every loader); the target
must write the value behind the text, not the text.
"""

from __future__ import annotations

import json
from pathlib import Path

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import tap_into_target
from tests.lexful.client import client_for, create_asset, create_organizations, list_all

GADGET = {
    "name": "gadget",
    "properties": [
        {"name": "label", "type": "string"},
        {
            "name": "ports",
            "type": "array",
            "array": {"type": "object", "properties": [{"name": "number", "type": "integer"}]},
        },
    ],
}


def test_the_value_behind_the_json_text_is_written(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    source, copy = demo_sandbox.new_account(), demo_sandbox.new_account()
    for account in (source, copy):
        client_for(account).send_json("POST", contract.asset_types_path(), GADGET)
    source_client = client_for(source)
    org = create_organizations(source_client, 1)[0]
    create_asset(source_client, "gadget", org["id"], label="g", ports=[{"number": 1}])
    # As if the API had grown a type: the source's ports items now hold a "port_number". The
    # copy's gadget keeps "integer", which the sandbox knows, so that it takes the value.
    store = demo_sandbox.store
    (definition,) = store.find("asset_types", source["account_id"], "name = ?", ("gadget",))
    definition["properties"][1]["array"]["properties"][0]["type"] = "port_number"
    store.save("asset_types", source["account_id"], definition)
    rejects = tmp_path / "rejects.jsonl"
    target_config = copy | {
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(rejects),
    }

    tap_into_target(tmp_path, source | {"asset_types": ["gadget"]}, target_config)

    (written,) = list_all(client_for(copy), contract.assets_path("gadget"))
    assert (written["label"], written["ports"]) == ("g", [{"number": 1}])
    lines = rejects.read_text().splitlines() if rejects.exists() else []
    assert "gadget" not in {json.loads(line)["stream"] for line in lines}
