"""Per account, a job over its asset (for ``dagster job backfill -j lexful_<name> --all``) and
a schedule that runs every partition of it (stopped until turned on in the UI or with
``dagster schedule start``); the cron is the account's ``schedule``."""

from __future__ import annotations

from collections.abc import Iterator

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    StaticPartitionsDefinition,
    define_asset_job,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from lexful_dagster import shards
from lexful_dagster.config import Account

KEY_PREFIX = "lexful"


def account_job(account: Account) -> UnresolvedAssetJobDefinition:
    """``lexful_<name>``: the account's asset, partitioned by its shards."""
    return define_asset_job(
        name=f"{KEY_PREFIX}_{account.name}",
        selection=AssetSelection.assets(AssetKey([KEY_PREFIX, account.name])),
        partitions_def=StaticPartitionsDefinition(shards.partition_keys(account)),
        description=f"Every shard of Lexful account {account.name}, a run each",
    )


def account_schedule(account: Account, job: UnresolvedAssetJobDefinition) -> ScheduleDefinition:
    """``lexful_<name>_every_shard``: a run per partition at each tick."""
    keys = shards.partition_keys(account)

    def every_shard(context: ScheduleEvaluationContext) -> Iterator[RunRequest]:
        stamp = context.scheduled_execution_time.isoformat()
        for key in keys:
            yield RunRequest(run_key=f"{key}@{stamp}", partition_key=key)

    return ScheduleDefinition(
        name=f"{KEY_PREFIX}_{account.name}_every_shard",
        cron_schedule=account.schedule,
        job=job,
        execution_fn=every_shard,
        default_status=DefaultScheduleStatus.STOPPED,
    )
