"""A thousand new organizations: no shard passes the API's list limit, the union is one run."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")


from lexful_dagster import plan
from lexful_sandbox import Sandbox
from tests.lexful.client import client_for, create_organizations
from tests.lexful.dagster.harness import (
    assert_union_is_full_run,
    materialize_all,
    two_shards_synced,
)

pytestmark = pytest.mark.meltano


def test_a_thousand_new_organizations_keep_every_shard_under_the_list_limit(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings, account, instance = two_shards_synced(
        own_demo_sandbox.config, tmp_path, monkeypatch, meltano_home
    )
    before = plan.read(account.plan_path)
    assert before is not None
    create_organizations(client_for(own_demo_sandbox.config), 1000, prefix="Newcomer")

    results = materialize_all(settings, instance)
    assert {key: r.success for key, r in results.items()} == dict.fromkeys(results, True)
    after = plan.read(account.plan_path)
    assert after is not None
    sizes = [len(after.members(k)) for k in range(2)]
    assert sum(sizes) == len(before.organizations) + 1000
    assert max(sizes) <= plan.MAX_SHARD_ORGANIZATIONS
    assert_union_is_full_run(tmp_path, settings, account, runs=2)


def test_a_shard_is_never_filled_past_the_limit_and_a_full_account_is_refused() -> None:
    state = plan.Plan("acct", 2)
    newcomers = [plan.Organization(f"o{i:04}", "2026-01-01T00:00:00.000Z") for i in range(1500)]
    placed = plan.assign(state, newcomers)
    # Organizations without assets weigh nothing: on equal weights they go by number.
    assert sorted(list(placed.values()).count(k) for k in (0, 1)) == [750, 750]
    more = [plan.Organization(f"p{i:03}", "2026-01-01T00:00:00.000Z") for i in range(500)]
    plan.assign(state, more)
    with pytest.raises(
        plan.PlanError, match=r"has 1000 organizations .* raise organization_shards"
    ):
        plan.assign(state, [plan.Organization("last", "2026-01-01T00:00:00.000Z")])
