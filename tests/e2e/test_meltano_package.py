"""tap-lexful as Meltano runs it once installed from a package (not `pip_url: -e .`).

Meltano then caches the catalog it discovered (.meltano/run/tap-lexful/tap.properties.json)
and reuses it while the settings stay the same: a saved catalog that selects children without
their parents, or that predates an asset type, must run. The SDK's settings declared in
meltano.yml take effect through their environment variables.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import ROOT, meltano_bin, meltano_env
from tests.lexful.client import client_for, create_asset, list_all

pytestmark = pytest.mark.meltano

CONTACT = "system.contact"
GADGET = {"name": "gadget", "properties": [{"name": "label", "type": "string"}]}
NO_ACCOUNT = dict.fromkeys(("api_url", "account_id", "api_key_id", "api_key_secret"), "")
CATALOG = Path(".meltano/run/tap-lexful/tap.properties.json")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Meltano project whose tap-lexful is a wheel of this tree, installed by Meltano."""
    root = tmp_path_factory.mktemp("packaged")
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels)]
    subprocess.run([*pip, str(ROOT)], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("*.whl")
    text = (ROOT / "meltano.yml").read_text()
    declared = "  - name: tap-lexful\n    namespace: tap_lexful\n    pip_url: -e .\n"
    assert declared in text
    text = text.replace(declared, declared.replace("-e .", str(wheel)))
    (root / "meltano.yml").write_text(text)
    meltano(root, {}, "install", "--plugin-type", "extractor", "tap-lexful")
    return root


def meltano(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [meltano_bin(), *args],
        cwd=project,
        env=env or meltano_env(NO_ACCOUNT, None),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"meltano {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done


def invoke(project: Path, env: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    """`meltano invoke tap-lexful`: its Singer messages, and its log."""
    done = meltano(project, env, "invoke", "tap-lexful")
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return messages, done.stderr


def records(messages: list[dict[str, Any]]) -> Counter[str]:
    return Counter(m["stream"] for m in messages if m["type"] == "RECORD")


def test_a_cached_catalog_runs_after_a_new_asset_type_and_with_children_alone(
    project: Path, own_demo_sandbox: Sandbox
) -> None:
    config = own_demo_sandbox.config
    client = client_for(config)
    contacts = len(list_all(client, contract.assets_path(CONTACT)))
    selected = '["system_contact.*", "related_assets.*"]'
    env = meltano_env(config, None, TAP_LEXFUL__SELECT=selected)

    first, _ = invoke(project, env)

    cached = json.loads((project / CATALOG).read_text())
    assert "gadget" not in {s["tap_stream_id"] for s in cached["streams"]}
    assert set(records(first)) == {"system_contact", "related_assets"}
    assert records(first)["system_contact"] == contacts

    # An asset type created after the catalog was cached, with an asset linked to a contact.
    client.send_json("POST", contract.asset_types_path(), GADGET)
    contact = list_all(client, contract.assets_path(CONTACT))[0]
    gadget = create_asset(client, "gadget", contact["organization_id"], label="new")
    link = [{"asset_id": gadget["id"], "description": "to the new type"}]
    client.send_json("PUT", contract.related_path(CONTACT, contact["id"]), link)

    # The same cached catalog (the key file says so); then every stream selected.
    key = (project / CATALOG.with_suffix(".cache_key")).read_text()
    second, log = invoke(project, env)
    everything, _ = invoke(project, meltano_env(config, None))

    assert (project / CATALOG.with_suffix(".cache_key")).read_text() == key
    cached = json.loads((project / CATALOG).read_text())
    assert "gadget" not in {s["tap_stream_id"] for s in cached["streams"]}
    assert set(records(second)) == {"system_contact", "related_assets"}
    assert "gadget" in log  # named once in the log as a stream the catalog does not list
    assert "gadget" not in records(everything)
    assert records(everything)["system_contact"] == contacts


def test_stream_maps_and_flattening_from_the_environment_take_effect(
    project: Path, demo_sandbox: Sandbox
) -> None:
    maps = {"system_contact": {"seen_by_map": "1"}}
    env = meltano_env(
        demo_sandbox.config,
        None,
        TAP_LEXFUL__SELECT='["system_contact.*"]',
        TAP_LEXFUL_STREAM_MAPS=json.dumps(maps),
        TAP_LEXFUL_FLATTENING_ENABLED="true",
        TAP_LEXFUL_FLATTENING_MAX_DEPTH="1",
    )

    messages, _ = invoke(project, env)

    contacts = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert contacts
    assert {record["seen_by_map"] for record in contacts} == {1}
    (schema,) = [m["schema"] for m in messages if m["type"] == "SCHEMA"]
    flattened = [name for name in schema["properties"] if re.match(r"\w+__\w+", name)]
    assert flattened, sorted(schema["properties"])
