"""`meltano run tap-lightfield target-lightfield` as a user runs it: one sandbox's demo
workspace copied into a second, empty sandbox; a second run writes nothing."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightfield_sandbox import Sandbox, running_sandbox
from tests.e2e.pipeline import lightfield_env, meltano
from tests.lightfield.target.helpers import (
    WriteCounter,
    assert_copy_equals_source,
    with_demo_members,
)

pytestmark = pytest.mark.meltano

NO_WORKSPACE = {"api_url": "", "api_key": ""}
# The target logs its counts as one line of JSON at the end; meltano relays it on stderr.
SUMMARY = re.compile(r"target-lightfield summary-json (\{.*\})\s*$", re.MULTILINE)


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    env = lightfield_env(NO_WORKSPACE, NO_WORKSPACE)
    meltano("install", "tap-lightfield", "target-lightfield", env=env)


@pytest.fixture
def source() -> Iterator[Sandbox]:
    """The demo workspace, only read."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture
def destination() -> Iterator[Sandbox]:
    """A second sandbox, empty but for its admin and the demo's other members (members are
    invited, not copied: the target finds them by $email)."""
    with running_sandbox(seed="none") as sandbox:
        with_demo_members(sandbox, sandbox.config)
        yield sandbox


def summary(stderr: str) -> dict[str, dict[str, float]]:
    """The target's end-of-run counts per stream, from the log meltano relays."""
    found = SUMMARY.findall(stderr)
    assert len(found) == 1, f"no single target summary in the log:\n{stderr[-4000:]}"
    streams: dict[str, dict[str, float]] = json.loads(found[0])
    return streams


def total(streams: dict[str, dict[str, float]], what: str) -> int:
    return int(sum(row[what] for row in streams.values()))


def test_meltano_run_copies_a_workspace_and_a_second_run_writes_nothing(
    source: Sandbox, destination: Sandbox, tmp_path: Path
) -> None:
    env = lightfield_env(
        source.config,
        destination.config,
        TARGET_LIGHTFIELD_ID_MAP_PATH=str(tmp_path / "id-map.sqlite"),
        TARGET_LIGHTFIELD_REJECTS_PATH=str(tmp_path / "rejects.jsonl"),
    )
    # Meltano keeps the tap's bookmark per state id: a fresh one, so the first run is full.
    run = ("run", "--state-id-suffix", uuid.uuid4().hex, "tap-lightfield", "target-lightfield")

    first = summary(meltano(*run, env=env).stderr)
    assert total(first, "created") > 0
    assert_copy_equals_source(source.config, destination.config)
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    # without files_content the files have no bytes; the meeting whose transcript is one of
    # them is written without it (no cascade)
    assert sorted({r["stream"] for r in rejects}) == ["files"]

    writes = WriteCounter()
    destination.add_hook(writes)
    second = summary(meltano(*run, env=env).stderr)
    writes.armed = False
    assert writes.seen == [], "the second run wrote to the workspace"
    assert total(second, "created") == total(second, "updated") == 0
    assert_copy_equals_source(source.config, destination.config)
