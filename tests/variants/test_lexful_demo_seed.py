"""``single-sort`` on the demo seed (default seed data, not the matrix's small accounts):
the id walk meets the account's admin user, stamped when the account was made. Ids follow
created_at on every record (UUIDv7 of the create), so the walk on ids is the created_at order:
every user once, full and incremental."""

from __future__ import annotations

from typing import Any

from lexful_sandbox import running_sandbox
from tests.lexful.tap.helpers import discover, sync
from tests.variants.test_lexful_variants import QUICK

STREAM = "users"


def _only(catalog: dict[str, Any], name: str) -> dict[str, Any]:
    for stream in catalog["streams"]:
        chosen = stream["tap_stream_id"] == name
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = chosen
    return catalog


def test_single_sort_on_the_demo_seed_emits_every_user_once() -> None:
    with running_sandbox(seed="demo", variants=["single-sort"]) as sb:
        config = {**sb.config, **QUICK, "emit_deletes": False}
        catalog = _only(discover(config), STREAM)
        held = sorted(u["id"] for u in sb.store.find(STREAM, sb.account_id, "deleted_at IS NULL"))
        full = sync(config, catalog=catalog)
        assert sorted(r["id"] for r in full.records(STREAM)) == held  # 0 lost, 0 doubled
        again = sync(config, state=full.state, catalog=catalog)
        assert not {r["id"] for r in again.records(STREAM)} - set(held)
        assert len(again.records(STREAM)) <= 1  # at most the bookmark's own record again
