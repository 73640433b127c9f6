"""`meltano run` as a user runs it, against the sandbox, with no Meltano Hub."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.account import snapshot
from tests.e2e.pipeline import meltano, meltano_env
from tests.e2e.test_round_trip import assert_same_account
from tests.lexful.client import client_for, create_organization

pytestmark = pytest.mark.meltano


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    meltano(
        "install",
        env=meltano_env(
            {"api_url": "", "account_id": "", "api_key_id": "", "api_key_secret": ""}, None
        ),
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_meltano_run_tap_to_jsonl_then_incremental(
    own_demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex
    client = client_for(own_demo_sandbox.config)
    out1 = tmp_path / "run1"
    out1.mkdir()
    env = meltano_env(own_demo_sandbox.config, None, TARGET_JSONL_DESTINATION_PATH=str(out1))
    meltano("run", "--state-id-suffix", suffix, "tap-lexful", "target-jsonl", env=env)

    organizations = read_jsonl(out1 / "organizations.jsonl")
    total = contract.list_total(client.get_json("/v1/organizations", {"limit": 1}))
    assert len(organizations) == total
    assert len({o["id"] for o in organizations}) == total
    contacts = read_jsonl(out1 / "system_contact.jsonl")
    total = contract.list_total(client.get_json("/v1/assets/system.contact", {"limit": 1}))
    assert len(contacts) == total
    assert read_jsonl(out1 / "related_assets.jsonl")
    assert read_jsonl(out1 / "files.jsonl")

    created = create_organization(client, "New Since Last Run")
    out2 = tmp_path / "run2"
    out2.mkdir()
    env["TARGET_JSONL_DESTINATION_PATH"] = str(out2)
    meltano("run", "--state-id-suffix", suffix, "tap-lexful", "target-jsonl", env=env)
    second = read_jsonl(out2 / "organizations.jsonl")
    assert [o["id"] for o in second] == [created["id"]]  # exactly what is new

    # A link added to an old contact: the fast run does not see it, the children pass
    # (the inherited plugin tap-lexful--children) does.
    old_a, old_b = contacts[0], contacts[1]
    body = [{"asset_id": old_b["id"], "description": "added later"}]
    client.send_json("PUT", contract.related_path("system.contact", old_a["id"]), body)
    out3 = tmp_path / "run3"
    out3.mkdir()
    env["TARGET_JSONL_DESTINATION_PATH"] = str(out3)
    meltano("run", "--state-id-suffix", suffix, "tap-lexful--children", "target-jsonl", env=env)
    links = read_jsonl(out3 / "related_assets.jsonl")
    assert (old_a["id"], old_b["id"]) in {(x["asset_id"], x["related_asset_id"]) for x in links}
    assert not (out3 / "system_contact.jsonl").exists()


def test_meltano_run_copies_an_account(
    demo_sandbox: Sandbox, empty_account: dict[str, str], tmp_path: Path
) -> None:
    source, dest = demo_sandbox.config, empty_account
    env = meltano_env(
        source,
        dest,
        TAP_LEXFUL_FILES_CONTENT="inline",
        TARGET_LEXFUL_ID_MAP_PATH=str(tmp_path / "id-map.sqlite"),
        TARGET_LEXFUL_REJECTS_PATH=str(tmp_path / "rejects.jsonl"),
    )
    meltano("run", "--full-refresh", "tap-lexful", "target-lexful", env=env)
    assert_same_account(snapshot(source), snapshot(dest))
