"""target-lightfield against the Lightfield sandbox's variants (``lightfield-sandbox
variants``) where the target's own logic meets them: a list index that lags its writes."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from lightfield_sandbox import running_sandbox
from lightfield_sandbox.common import variants as v
from tests.tap_lightfield.helpers import Reader
from tests.target_lightfield.helpers import run_target, tap_lines, target_config, with_demo_members

LAG_S = 3.3  # the lagging-index variant's 3 s, and a little more


def test_match_on_finds_a_record_this_run_created_though_the_index_does_not_list_it(
    tmp_path: Path,
):
    """Two source accounts share a $name; with match_on $name the second is the first's copy,
    updated, as without a lag: the list the lookup reads does not show that copy yet, the
    target's memory of its own creates does."""
    with running_sandbox(seed="demo", variants=[v.LAGGING_INDEX]) as sandbox:
        source = Reader(sandbox.config)
        name = "Acme Inc"
        body = {"fields": {"$name": name}}
        answer = requests.post(
            f"{sandbox.api_url}/v1/accounts", json=body, headers=source.headers, timeout=30
        )
        answer.raise_for_status()
        creds = sandbox.new_account()
        with_demo_members(sandbox, creds)
        time.sleep(LAG_S)  # the source's records and the members listed
        lines = tap_lines(sandbox.config)
        config = target_config(creds, tmp_path, match_on={"accounts": ["$name"]}, max_concurrency=1)
        target, _ = run_target(config, lines)
        time.sleep(LAG_S)
        copies = [
            a for a in Reader(creds).all("/v1/accounts") if a["fields"]["$name"]["value"] == name
        ]
    assert len(copies) == 1, f"{len(copies)} accounts named {name}"
    assert target.engine.stats.total("created") > 0
