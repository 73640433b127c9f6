"""What a sync logs: a line per stream start, progress, one summary per stream; no flood."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_dagster.pipes_job import read_log
from tap_lexful.tap import TapLexful
from tests.lexful.client import create_asset, create_organizations
from tests.lexful.tap.helpers import tap_config

SUMMARY = re.compile(
    r"Stream '(\w+)' done: (\d+) records(?: \([^)]*\))?(?: from (\d+) parents)?, (\d+) requests"
)


def _stderr(config: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    tap = Path(sys.executable).parent / "tap-lexful"
    done = subprocess.run(
        [str(tap), "--config", str(path)], capture_output=True, text=True, check=True
    )
    return done.stderr.splitlines()


def test_a_demo_sync_logs_a_screenful_with_a_summary_per_stream(demo_sandbox, tmp_path) -> None:
    lines = _stderr(demo_sandbox.config, tmp_path)
    assert len(lines) <= 150
    summaries = {m.group(1): m for line in lines if (m := SUMMARY.search(line))}
    assert {"organizations", "system_contact", "related_assets", "files"} <= set(summaries)
    contacts = summaries["system_contact"]
    assert int(contacts.group(2)) > 200
    assert int(contacts.group(4)) >= 1
    links = summaries["related_assets"]
    assert int(links.group(2)) > 0
    assert int(links.group(3)) > 500  # one child sync per live asset, counted
    assert not any("Beginning sync of 'files'" in line for line in lines)


def test_child_syncs_are_logged_when_asked(demo_sandbox, tmp_path) -> None:
    lines = _stderr(demo_sandbox.config | {"log_child_syncs": True}, tmp_path)
    per_parent = [line for line in lines if "Beginning sync of 'files'" in line]
    assert len(per_parent) > 500


# -- what the summaries count: the records sent --------------------------------------------------


@pytest.fixture
def contacts_with_links(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    """7 contacts (3 important), each linked to one location: 7 contacts, 8 assets, 7 links."""
    organization = create_organizations(client, 1)[0]["id"]
    desk = create_asset(client, "system.location", organization, name="desk")
    for i in range(7):
        contact = create_asset(
            client,
            "system.contact",
            organization,
            first_name="C",
            last_name=str(i),
            important=i < 3,
        )
        client.send_json(
            "PUT",
            contract.related_path("system.contact", contact["id"]),
            [{"asset_id": desk["id"], "description": "office" if i % 2 else "home"}],
        )
    return empty_account


def _run(
    config: dict[str, Any], tmp_path: Path, catalog: dict[str, Any] | None = None
) -> tuple[dict[str, int], dict[str, str], dict[str, int]]:
    """The CLI run: RECORD messages per stream, summary line per stream, and what
    lexful_dagster's log reader makes of the log."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    command = [str(Path(sys.executable).parent / "tap-lexful"), "--config", str(path)]
    if catalog is not None:
        (tmp_path / "catalog.json").write_text(json.dumps(catalog))
        command += ["--catalog", str(tmp_path / "catalog.json")]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    sent: dict[str, int] = {}
    for line in done.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            sent[message["stream"]] = sent.get(message["stream"], 0) + 1
    summaries = {
        m.group(1): line.split(" done: ", 1)[1]
        for line in done.stderr.splitlines()
        if (m := re.search(r"Stream '(\w+)' done: ", line))
    }
    read, _tail = read_log(io.StringIO(done.stderr), io.StringIO())
    return sent, summaries, read


def test_summaries_count_what_a_stream_map_filter_let_through(
    contacts_with_links: dict[str, Any], tmp_path: Path
) -> None:
    maps = {
        "system_contact": {"__filter__": "important"},
        "related_assets": {"__filter__": "description == 'office'"},
    }
    config = contacts_with_links | {"stream_maps": maps}

    sent, summaries, read = _run(config, tmp_path)

    # The SDK syncs no children of a parent its filter drops: 1 link of 7 (the office one of
    # the 3 important contacts), though the tap had read them all.
    assert (sent["system_contact"], sent["related_assets"]) == (3, 1)
    assert summaries["system_contact"].startswith("3 records (7 read), ")
    # How many of the filtered-out parents' links were read ahead before the SDK dropped them
    # depends on timing (prefetch): what was sent does not.
    links = re.match(r"1 records \((\d) read\) from 4 parents, ", summaries["related_assets"])
    assert links, summaries["related_assets"]
    assert 1 < int(links.group(1)) <= 7
    assert summaries["system_location"].startswith("1 records, ")
    assert (read["system_contact"], read["related_assets"]) == (3, 1)
    assert {stream: n for stream, n in read.items() if n} == sent


def test_a_parent_walked_only_for_its_children_says_so_and_counts_none(
    contacts_with_links: dict[str, Any], tmp_path: Path
) -> None:
    config = tap_config(contacts_with_links)
    catalog = TapLexful(config=config, parse_env_config=False).catalog_dict
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "related_assets"

    sent, summaries, read = _run(config, tmp_path, catalog)

    assert sent == {"related_assets": 7}
    assert summaries["system_contact"].startswith("0 records (7 read, walked for children), ")
    assert summaries["related_assets"].startswith("7 records from 8 parents, ")
    assert {stream: n for stream, n in read.items() if n} == {"related_assets": 7}
