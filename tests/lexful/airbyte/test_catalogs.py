"""What discover offers holds, and a saved catalog keeps running as the account changes.

- related_assets and files are offered as full_refresh only: every read sends them whole, so
  that an overwrite (the Airbyte platform's mode for a full-refresh stream) after a read with
  nothing new leaves their tables whole;
- a catalog that selects children without some of their parents, or that predates an asset
  type, or that lists a stream the account no longer has, runs.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.models import Type

from lexful_api import contract
from lexful_sandbox import Sandbox, running_sandbox
from tests.lexful.airbyte.helpers import BIN, configured, discovered, run, tap_records, write_json
from tests.lexful.airbyte.test_pyairbyte import job
from tests.lexful.client import client_for, create_asset, list_all

CONTACT = "system.contact"


def links_by_type(tmp: Path, config: dict[str, Any]) -> Counter[str]:
    """The links tap-lexful emits, per type of the asset they start from."""
    args = [str(BIN / "tap-lexful"), "--config", write_json(tmp / "links-config.json", config)]
    done = subprocess.run(args, capture_output=True, check=True, timeout=300)
    messages = (json.loads(line) for line in done.stdout.splitlines())
    return Counter(
        m["record"]["asset_type"]
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == "related_assets"
    )


def test_an_overwrite_after_a_read_with_nothing_new_leaves_links_and_files_whole(
    pyairbyte: str, airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    config = airbyte_demo.config
    spec = {"action": "read", "config": config, "source": str(BIN / "source-lexful")}
    spec["cache"] = str(tmp_path / "pyairbyte.duckdb")
    expected = tap_records(tmp_path, config)
    assert expected["related_assets"] > 30
    assert expected["files"] > 0

    first = job(pyairbyte, tmp_path, **spec)
    # Nothing new since: the incremental streams send nothing, and each table a full refresh
    # is written with replaces what the cache held by what this read sent.
    second = job(pyairbyte, tmp_path, **spec, write_strategy="replace")

    for stream in ("related_assets", "files"):
        assert first["cached"][stream] == expected[stream], stream
        assert second["read"][stream] == expected[stream], stream
        assert second["cached"][stream] == expected[stream], stream
    assert "system_contact" not in second["read"]  # incremental: nothing new, nothing sent


def test_pyairbyte_reads_links_with_one_of_their_parent_streams(
    pyairbyte: str, airbyte_demo: Sandbox, tmp_path: Path
) -> None:
    config = airbyte_demo.config
    spec = {
        "action": "read",
        "config": config,
        "source": str(BIN / "source-lexful"),
        "cache": str(tmp_path / "pyairbyte.duckdb"),
        "streams": ["system_contact", "related_assets"],
        "count_by": {"related_assets": "asset_type"},
    }
    expected = tap_records(tmp_path, config)
    links = links_by_type(tmp_path, config)
    assert links[CONTACT] > 0

    result = job(pyairbyte, tmp_path, **spec)

    # The links of the selected asset streams' assets: every run, whole (children: all_parents).
    assert result["read"] == {
        "system_contact": expected["system_contact"],
        "related_assets": links[CONTACT],
    }
    assert result["counted"] == {"related_assets": {CONTACT: links[CONTACT]}}


GADGET = {"name": "gadget", "properties": [{"name": "label", "type": "string"}]}


def test_a_catalog_older_than_the_account_runs(tmp_path: Path) -> None:
    """Saved before an asset type was created and after one was dropped: the new type's
    stream is not emitted, the one the account lacks is skipped with one warning."""
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        catalog = discovered(tmp_path, config)
        streams = {stream["name"]: stream for stream in catalog["streams"]}
        retired = {**streams["system_location"], "name": "retired_type"}
        names = {"organizations", "system_contact", "related_assets", "files"}
        saved = configured(catalog, names=names)
        saved["streams"].append(
            {"stream": retired, "sync_mode": "incremental", "destination_sync_mode": "append"}
        )
        client = client_for(config)
        client.send_json("POST", contract.asset_types_path(), GADGET)
        contact = list_all(client, contract.assets_path(CONTACT))[0]
        gadget = create_asset(client, "gadget", contact["organization_id"], label="new")
        client.send_json(
            "PUT", contract.related_path(CONTACT, contact["id"]), [{"asset_id": gadget["id"]}]
        )
        expected = tap_records(tmp_path, config | {"asset_types": [CONTACT]})
        everything = tap_records(tmp_path, config | {"children": "all_parents"})

        result = run(
            "source-lexful",
            "read",
            "--config",
            write_json(tmp_path / "config.json", config),
            "--catalog",
            write_json(tmp_path / "catalog.json", saved),
        )

        assert result.code == 0, result.stderr
        records = result.records()
        assert records == Counter(
            organizations=expected["organizations"],
            system_contact=expected["system_contact"],
            # a full refresh of the children is every asset's, whichever asset streams are
            # selected: the all_parents pass walks every type (the whole table, provably)
            related_assets=everything["related_assets"],
            files=everything["files"],
        )
        assert "gadget" not in records
        warnings = [
            m.log.message
            for m in result.of(Type.LOG)
            if m.log and m.log.level.value == "WARN" and "retired_type" in m.log.message
        ]
        assert len(warnings) == 1, warnings
        ended = {name: status for name, status in result.statuses() if status == "COMPLETE"}
        assert set(ended) == names | {"retired_type"}
