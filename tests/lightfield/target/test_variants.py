"""target-lightfield against the Lightfield sandbox's variants (``lightfield-sandbox
variants``) where the target's own logic meets them: a list index that lags its writes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from lightfield_sandbox import running_sandbox
from lightfield_sandbox.common import variants as v
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import run_target, tap_lines, target_config, with_demo_members

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


def test_a_filter_the_api_ignores_stops_match_on_at_once_in_one_line(tmp_path: Path):
    """filters-ignored: the lookup's answer holds accounts the filter cannot have matched; the
    target stops before its first write, in one line naming the setting, no traceback."""
    with running_sandbox(seed="demo", variants=[v.FILTERS_IGNORED]) as sandbox:
        lines = tap_lines(sandbox.config)
        creds = sandbox.new_account()
        with_demo_members(sandbox, creds)
        requests.post(
            f"{sandbox.api_url}/v1/accounts",
            json={"fields": {"$name": "Already There Inc"}},
            headers=Reader(creds).headers,
            timeout=30,
        ).raise_for_status()
        config = target_config(creds, tmp_path, match_on={"accounts": ["$name"]})
        (tmp_path / "config.json").write_text(json.dumps(config))
        before = sandbox.stats()["writes"]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "target_lightfield.target",
                "--config",
                str(tmp_path / "config.json"),
            ],
            input="".join(line + "\n" for line in lines),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        writes = sandbox.stats()["writes"] - before
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    told = [line for line in done.stderr.splitlines() if "ignored the filter" in line]
    assert len(told) == 1, done.stderr[-2000:]
    assert "remove 'accounts' from match_on" in told[0]
    assert writes == 0
