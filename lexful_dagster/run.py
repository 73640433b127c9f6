"""``python -m lexful_dagster.run``: every partition of every account, one command.

Each partition is a Dagster run of its own (as a backfill runs it), one after the other, in
this process, recorded in the Dagster instance of ``$DAGSTER_HOME`` when it is set (an
ephemeral one otherwise). The accounts file is ``$LEXFUL_DAGSTER_CONFIG``. ``--account NAME``
(repeatable) runs those accounts only. One line per partition; the exit code is 1 when any
partition failed, and the others ran all the same.

With the daemon, the code location offers the same per account as a job (``lexful_<name>``,
for ``dagster job backfill -j lexful_<name> --all``) and a schedule that runs every partition
(``lexful_<name>_every_shard``, stopped until turned on; its cron is the account's
``schedule``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dagster import DagsterInstance, PipesSubprocessClient, materialize

from lexful_dagster import config, shards
from lexful_dagster.assets import account_asset


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lexful_dagster.run", description=__doc__)
    parser.add_argument("--account", action="append", default=[], help="only this account")
    args = parser.parse_args(argv)
    try:
        settings = config.load(config.config_path())
    except config.ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    names = {account.name for account in settings.accounts}
    unknown = sorted(set(args.account) - names)
    if unknown:
        print(f"error: --account: no account named {unknown}; {sorted(names)}", file=sys.stderr)
        return 2
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    instance = instance or DagsterInstance.ephemeral()
    failed = 0
    for account in settings.accounts:
        if args.account and account.name not in args.account:
            continue
        asset = account_asset(settings, account)
        for key in shards.partition_keys(account):
            result = materialize(
                [asset],
                partition_key=key,
                instance=instance,
                resources={"pipes_subprocess_client": PipesSubprocessClient()},
                raise_on_error=False,
            )
            failed += not result.success
            outcome = "ok" if result.success else "FAILED"
            print(f"{account.name} {key}: {outcome} (run {result.run_id})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
