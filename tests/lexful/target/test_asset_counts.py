"""tap-lexful's asset_counts stream (the API's own counts) has nothing to write: skipped."""

from __future__ import annotations

from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config


def test_asset_counts_records_are_neither_written_nor_rejected(
    empty_account, calls, tmp_path
) -> None:
    count = {"asset_type": "system.contact", "organization_id": "o-1", "count": 3}
    messages = [
        schema("asset_counts", ["asset_type", "organization_id"]),
        record("asset_counts", count),
    ]
    run = run_target(target_config(empty_account, tmp_path), messages)
    assert read_rejects(tmp_path) == []
    assert calls.writes() == []
    assert run.count("asset_counts", "rejected") == 0
