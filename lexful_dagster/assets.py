"""The software-defined assets: one per account, partitioned by its shards.

Why one asset per account rather than one asset over a two-dimensional (account x shard)
``MultiPartitionsDefinition``: a multi-partition is the full cross product, and accounts have
different shard counts, so most of its keys would name no shard. An asset per account
(``lexful/<name>``) partitioned by that account's shards has exactly the account x shard pairs
that exist, and lets each account run into its own loader.

A partition is a Dagster run of its own: it plans (an organization shard refreshes the plan
first, see ``plan``; the plan is kept in the Meltano state backend, see ``states``), then
runs ``meltano run`` through Dagster Pipes (``pipes_job``), in a Meltano run directory of its
own (``rundir``). A failing partition fails alone, and rerunning
it resumes from its own state.
"""

# No `from __future__ import annotations` here: Dagster reads the asset function's annotations
# at definition time and needs them as types, not strings.
import sys
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Definitions,
    ExecutorDefinition,
    MaterializeResult,
    PipesSubprocessClient,
    StaticPartitionsDefinition,
    asset,
)

from lexful_api.settings import client_from_config
from lexful_dagster import moves, plan, rundir, schedules, shards, states
from lexful_dagster.config import Account, Settings

KEY_PREFIX = "lexful"
PIPES_JOB = [sys.executable, "-m", "lexful_dagster.pipes_job"]


def build_definitions(
    settings: Settings, executor: ExecutorDefinition | None = None
) -> Definitions:
    """The code location: the accounts' assets and the Pipes client they run with.

    ``executor``: where a run's step executes (Dagster's default: in the run's own process);
    a Celery or Kubernetes executor sends each partition's step to a worker of its own.
    """
    jobs = [schedules.account_job(account) for account in settings.accounts]
    return Definitions(
        assets=[account_asset(settings, account) for account in settings.accounts],
        jobs=jobs,
        schedules=[
            schedules.account_schedule(account, job)
            for account, job in zip(settings.accounts, jobs, strict=True)
        ],
        resources={"pipes_subprocess_client": PipesSubprocessClient()},
        executor=executor,
    )


def account_asset(settings: Settings, account: Account) -> AssetsDefinition:
    """The asset of one account: what its loader holds, one partition per shard."""

    @asset(
        name=account.name,
        key_prefix=KEY_PREFIX,
        partitions_def=StaticPartitionsDefinition(shards.partition_keys(account)),
        group_name=KEY_PREFIX,
        kinds={"meltano", "lexful"},
        description=(
            f"Lexful account {account.name} ({account.account_id}) loaded by {account.loader}: "
            "the account-wide streams in partition 'account', the organizations' in "
            f"'orgs-0'..'orgs-{account.organization_shards - 1}'."
        ),
    )
    def lexful_account(
        context: AssetExecutionContext, pipes_subprocess_client: PipesSubprocessClient
    ) -> MaterializeResult[Any]:
        return run_partition(context, pipes_subprocess_client, settings, account)

    return lexful_account


def run_partition(
    context: AssetExecutionContext,
    pipes: PipesSubprocessClient,
    settings: Settings,
    account: Account,
) -> MaterializeResult[Any]:
    """Plan (organization shards), then ``meltano run`` through Pipes."""
    key = context.partition_key
    prepared = _prepare(settings, account, key)
    if prepared is None:
        # More shards than organizations: nothing to read, and no Meltano run, since the tap
        # takes an empty organization_ids as every organization.
        context.log.info(f"Shard {key} of {account.name} has no organizations yet")
        return MaterializeResult(metadata={"organizations": 0, "records": 0})
    env, extras = prepared
    invocation = pipes.run(
        context=context,
        command=PIPES_JOB,
        extras=extras,
        env=env,
        cwd=str(settings.meltano.project_dir),
    )
    result = invocation.get_materialize_result()
    shard = shards.organization_shard(key)
    if shard is not None and extras["bound"]:
        store = states.MeltanoPlanStore(settings.meltano, account)
        plan.mark_checked(account, shard, extras["bound"], store)
    return result


def _prepare(
    settings: Settings, account: Account, key: str
) -> tuple[dict[str, str], dict[str, Any]] | None:
    """The run's environment and Pipes extras; None for a shard with no organizations yet."""
    suffix = shards.state_suffix(account, key)
    extras: dict[str, Any] = {
        "command": shards.meltano_command(settings.meltano, account, key),
        "state_id_suffix": suffix,
        "organizations": 0,
        "bound": None,
    }
    own_dir = rundir.isolated_env(settings.meltano, suffix)
    shard = shards.organization_shard(key)
    if shard is None:
        return shards.meltano_env(settings.meltano, account, key) | own_dir, extras
    chosen = [str(t) for t in account.tap_settings.get("asset_types") or []]
    prepared, moved = _plan(settings, account, shard, chosen)
    if not prepared.organization_ids:
        return None
    filters = shards.bound_filters(
        prepared.asset_types, account.replication_key, prepared.bound, chosen
    )
    members = prepared.organization_ids
    env = shards.meltano_env(settings.meltano, account, key, members, filters)
    extras |= {"organizations": len(members), "bound": prepared.bound}
    if moved:
        extras["passes"] = moves.passes(moved)
        extras["pass_command"] = moves.pass_command(extras["command"])
        extras["moved_in"] = sum(len(ids) for ids in moved.values())
    return env | own_dir, extras


def _plan(
    settings: Settings, account: Account, shard: int, chosen: list[str]
) -> tuple[plan.ShardRun, dict[str, list[str]]]:
    """The shard's plan, and the assets moved into it since its last one (``moves``)."""
    client = client_from_config(account.client_config(), user_agent="lexful-dagster", concurrency=8)
    try:
        store = states.MeltanoPlanStore(settings.meltano, account)
        prepared = plan.prepare_shard(client, account, shard, store)
        previous = prepared.previous_bound
        if account.replication_key != "created_at" or not previous:
            return prepared, {}
        types = [t for t in prepared.asset_types if not chosen or t in chosen]
        members = prepared.organization_ids
        marks = states.bookmarks(settings.meltano, account, f"{shards.ORGANIZATION_PREFIX}{shard}")
        since = min(prepared.checked or previous, previous)
        found = moves.moved_in(client, members, marks, types, (since, prepared.bound))
        return prepared, found
    finally:
        client.close()
