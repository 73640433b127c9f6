"""The matrix: tap-lightfield and the tap | target-lightfield copy against each variant of
the sandbox (``lightfield-sandbox variants``): every record read once, the copy equal to its
source, nothing created twice.

Each variant is a plausible other answer to an [A] of ``docs/lightfield-api.md``; what the
connectors do about it is ``lightfield_api.adapt``'s. The demo seed is the smallest that pages
(8 records a type at ``page_size`` 3) and has lists, members, files and emails.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.common import variants as v
from tap_lightfield.tap import TapLightfield
from tests.lightfield.tap.helpers import ENTITY_STREAMS, Reader, doubled, sync, tap_config
from tests.lightfield.target.helpers import (
    assert_copy_equals_source,
    assert_lists_equal,
    count_per_collection,
    run_target,
    target_config,
    with_demo_members,
)

MATRIX = [variant.name for variant in v.REGISTRY]
LAG_S = 3.3  # the lagging-index variant's 3 s, and a little more
COUNTED = (*ENTITY_STREAMS, "members", "lists", "files", "emails")


def settle(sandbox: Sandbox, variant: str) -> None:
    """Past the index lag: what was written before is listed now."""
    if variant == v.LAGGING_INDEX:
        time.sleep(LAG_S)


@contextmanager
def plain(sandbox: Sandbox, variant: str) -> Iterator[None]:
    """The test's own reads (not the connectors') without the variant's rate limit or lag."""
    off = {"rate_limit": 0.0, "index_lag_ms": 0.0}
    sandbox.set_faults(**off)
    try:
        yield
    finally:
        sandbox.set_faults(**{**off, **v.FAULTS.get(variant, {})})


def source_ids(config: dict[str, Any]) -> dict[str, list[str]]:
    reader = Reader(config)
    return {s: sorted(r["id"] for r in reader.all(f"/v1/{s}")) for s in COUNTED}


@pytest.mark.parametrize("variant", MATRIX)
def test_tap_reads_each_record_once_and_the_copy_equals_its_source(variant: str, tmp_path: Path):
    with running_sandbox(seed="demo", variants=[variant]) as sandbox:
        settle(sandbox, variant)
        output = sync(tap_config(sandbox.config, files_content="inline"))
        with plain(sandbox, variant):
            expected = source_ids(sandbox.config)
        for stream in COUNTED:
            ids = output.ids(stream)
            assert doubled(ids) == [], (variant, stream)
            assert sorted(ids) == expected[stream], (variant, stream)

        creds = sandbox.new_account()
        with_demo_members(sandbox, creds)
        settle(sandbox, variant)  # the members the target matches by $email are listed
        lines = [json.dumps(m) for m in output.messages]
        target, _states = run_target(target_config(creds, tmp_path), lines)
        assert target.engine.stats.total("rejected") == 0, variant
        settle(sandbox, variant)
        with plain(sandbox, variant):
            assert_copy_equals_source(sandbox.config, creds, with_files=True)
            assert_lists_equal(sandbox.config, creds)
            source, copy = count_per_collection(sandbox.config), count_per_collection(creds)
        assert copy == source, variant


@pytest.mark.parametrize("variant", [v.ERRORS_WRAPPED, v.ERRORS_UNWRAPPED])
def test_an_error_names_what_the_api_said_in_either_shape(variant: str):
    with running_sandbox(seed="none", variants=[variant]) as sandbox:
        config = tap_config({**sandbox.config, "api_key": "sk_lf_not_a_key"})
        with pytest.raises(ConfigValidationError) as refused:
            TapLightfield(config=config, parse_env_config=False)
    message = str(refused.value)
    assert "401" in message
    assert "invalid API key" in message, message  # the API's own words, not the status phrase


def test_a_record_trashed_without_an_updated_at_is_still_a_delete(tmp_path: Path):
    """trash-keeps-updated-at: a never-updated account moved to the trash keeps its null
    updatedAt; the next incremental run still emits it with _sdc_deleted_at."""
    with running_sandbox(seed="demo", variants=[v.TRASH_KEEPS_UPDATED_AT]) as sandbox:
        first = sync(tap_config(sandbox.config))
        victim = next(r for r in first.records("accounts") if r["updatedAt"] is None)
        headers = Reader(sandbox.config).headers
        url = f"{sandbox.api_url}/v1/accounts/{victim['id']}"
        requests.delete(url, headers=headers, timeout=30).raise_for_status()
        second = sync(tap_config(sandbox.config), state=first.state)
        gone = [r for r in second.records("accounts") if r["id"] == victim["id"]]
        assert len(gone) == 1
        assert gone[0]["_sdc_deleted_at"]


def test_a_lagging_index_loses_nothing_across_runs():
    """lagging-index: a record created and one updated just before a run are not listed to
    it; the next run (past the lag) emits both."""
    with running_sandbox(seed="demo", variants=[v.LAGGING_INDEX]) as sandbox:
        settle(sandbox, v.LAGGING_INDEX)
        first = sync(tap_config(sandbox.config))
        reader = Reader(sandbox.config)
        changed = first.records("accounts")[0]["id"]
        write = {"fields": {"$name": "Renamed Inc"}}
        url = f"{sandbox.api_url}/v1/accounts"
        requests.post(f"{url}/{changed}", json=write, headers=reader.headers, timeout=30)
        made = requests.post(url, json={"fields": {"$name": "New Inc"}}, headers=reader.headers)
        created = made.json()["id"]
        second = sync(tap_config(sandbox.config), state=first.state)
        settle(sandbox, v.LAGGING_INDEX)
        third = sync(tap_config(sandbox.config), state=second.state)
        emitted = second.ids("accounts") + third.ids("accounts")
        assert created in emitted
        renamed = second.records("accounts") + third.records("accounts")
        assert any(r["id"] == changed and r["fields"]["$name"] == "Renamed Inc" for r in renamed)


def test_the_pace_drops_under_a_smaller_bucket():
    """rate-5: the first answers advertise X-RateLimit-Limit 5; the tap paces under it from
    then on: a 429 can only meet the few requests sent before the first answer came back
    (measured: 0 of 42; the pace of 24/s met 14)."""
    with running_sandbox(seed="demo", variants=[v.RATE_5]) as sandbox:
        output = sync(tap_config(sandbox.config))
        refused = sandbox.stats()["by_status"].get(429, 0)
        served = sandbox.stats()["by_status"].get(200, 0)
    assert output.ids("accounts")
    assert served > 20
    assert refused <= 3, f"{refused} answers were 429 for {served} served"


def test_fields_left_out_are_emitted_as_null():
    """sparse-fields: the API leaves unset fields out; the tap emits every defined field,
    null where unset, as it does when the API sends them null."""
    with running_sandbox(seed="demo") as sandbox:
        full = sync(tap_config(sandbox.config))
    with running_sandbox(seed="demo", variants=[v.SPARSE_FIELDS]) as sandbox:
        sparse = sync(tap_config(sandbox.config))
    for stream in ENTITY_STREAMS:
        want = sorted(sorted(r["fields"]) for r in full.records(stream))
        got = sorted(sorted(r["fields"]) for r in sparse.records(stream))
        assert got == want, stream
        want = sorted(sorted(r["relationships"]) for r in full.records(stream))
        got = sorted(sorted(r["relationships"]) for r in sparse.records(stream))
        assert got == want, stream
