"""tap-lightfield reads the demo workspace, target-lightfield writes it into an empty one."""

from __future__ import annotations

from pathlib import Path

from lightfield_sandbox import Sandbox
from tests.lightfield.target.helpers import (
    WriteCounter,
    assert_copy_equals_source,
    assert_lists_equal,
    run_target,
    tap_lines,
    target_config,
    with_demo_members,
)


def test_copy_equals_source_and_a_second_run_writes_nothing(demo_sandbox: Sandbox, tmp_path: Path):
    """With files_content inline the files are copied, bytes and all, and so the meeting whose
    transcript is one of them: nothing is rejected."""
    source_creds = demo_sandbox.config
    creds = demo_sandbox.new_account()
    with_demo_members(demo_sandbox, creds)
    lines = tap_lines(source_creds, files_content="inline")
    target, states = run_target(target_config(creds, tmp_path), lines)
    assert states, "no STATE printed"

    assert_copy_equals_source(source_creds, creds, with_files=True)
    assert_lists_equal(source_creds, creds)
    rejects = tmp_path / "rejects.jsonl"
    assert not rejects.exists() or not rejects.read_text().strip(), rejects.read_text()
    assert target.engine.stats.total("rejected") == 0

    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    again, _ = run_target(target_config(creds, tmp_path), lines)
    writes.armed = False
    assert writes.seen == [], "a second run wrote to the workspace"
    assert again.engine.stats.total("created") == again.engine.stats.total("updated") == 0
