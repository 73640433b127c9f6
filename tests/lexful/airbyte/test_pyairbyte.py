"""PyAirbyte drives source-lexful and destination-lexful as a user's Python job would.

Offline (``AIRBYTE_OFFLINE_MODE=1``: no registry), with ``local_executable=`` pointing at the
commands of this environment. PyAirbyte runs from its own venv (``make pyairbyte``, see
``pyairbyte_job.py``); it parses every message the adapters print with its own protocol
models, so these runs check them a second time.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from lexful_sandbox import running_sandbox
from tests.e2e.account import snapshot
from tests.e2e.test_round_trip import assert_same_account, rejected
from tests.lexful.airbyte.helpers import BIN, tap_records, write_json
from tests.lexful.client import client_for, create_asset, create_organization, list_all

JOB = Path(__file__).with_name("pyairbyte_job.py")
FULL_REFRESH = ("organization_types", "asset_types", "related_assets", "files")


def job(python: str, tmp: Path, **spec: Any) -> dict[str, Any]:
    env = os.environ | {"AIRBYTE_LOGGING_ROOT": str(tmp / "logs")}
    done = subprocess.run(
        [python, str(JOB), write_json(tmp / f"{spec['action']}-job.json", spec)],
        cwd=tmp,  # PyAirbyte keeps a default cache in the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"PyAirbyte job failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_pyairbyte_reads_the_account_then_only_what_is_new(pyairbyte: str, tmp_path: Path) -> None:
    with running_sandbox(seed="demo") as sandbox:
        config = sandbox.config
        spec = {"action": "read", "config": config, "source": str(BIN / "source-lexful")}
        spec["cache"] = str(tmp_path / "pyairbyte.duckdb")

        first = job(pyairbyte, tmp_path, **spec)

        expected = tap_records(tmp_path, config)
        assert first["read"] == expected
        assert first["cached"] == expected
        client = client_for(config)
        organization = create_organization(client, "Arrived After The First Read")
        create_asset(
            client,
            "system.contact",
            organization["id"],
            first_name="N",
            last_name="N",
            important=True,
        )

        second = job(pyairbyte, tmp_path, **spec)

        # Full-table streams come whole again; related_assets and files too (a full refresh
        # of them is the all-parents pass, see airbyte_lexful.mapping.ADAPTER_SETTINGS).
        full_table = {s: expected[s] for s in FULL_REFRESH if s in expected and s != "asset_counts"}
        # asset_counts is read whole every run: one count more, the new organization's.
        counts = {"asset_counts": expected["asset_counts"] + 1}
        assert second["read"] == full_table | counts | {"organizations": 1, "system_contact": 1}
        grown = Counter(expected) + Counter(organizations=1, system_contact=1, asset_counts=1)
        assert second["cached"] == dict(grown)


def test_pyairbyte_copies_an_account_into_another_field_by_field(
    pyairbyte: str, tmp_path: Path
) -> None:
    with running_sandbox(seed="demo") as sandbox:
        source, dest = sandbox.config, sandbox.new_account()
        rejects = tmp_path / "rejects.jsonl"
        destination_config = dest | {
            "create_asset_types": True,
            "id_map_path": str(tmp_path / "id-map.sqlite"),
            "rejects_path": str(rejects),
        }
        spec = {
            "action": "copy",
            "config": source | {"files_content": "inline"},
            "source": str(BIN / "source-lexful"),
            "destination": str(BIN / "destination-lexful"),
            "destination_config": destination_config,
        }

        result = job(pyairbyte, tmp_path, **spec)

        a, b = snapshot(source), snapshot(dest)
        assert a.counts()["assets"] > 500
        assert_same_account(a, b)
        assert result["processed"] == sum(tap_records(tmp_path, spec["config"]).values())
        # As with tap-lexful | target-lexful: users the destination lacks are not created
        # without create_users (the admin is in both: rejected with their reason); an upload
        # never completed has no bytes (skipped, not rejected).
        users = len(list_all(client_for(source), "/v1/users"))
        assert rejected(rejects) == Counter(users=users - 1)
