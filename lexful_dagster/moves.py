"""Assets moved into a shard's organizations after that shard's bookmarks passed them.

With ``replication_key: created_at`` (the default) an asset keeps its key when it moves to
another organization. If it moves from a shard that had not read it yet to a shard whose
bookmarks are past its ``created_at``, neither shard's run would read it, where one plain
``meltano run`` does. A move changes the asset's ``updated_at``, so each organization shard,
when it plans, asks for the assets now in its organizations that were created before its last
bound (its bookmarks may be past them) and updated since (``[previous bound, this bound)``):
every asset that moved in since its last plan is among them. Its run then reads them by id
(``id[in]``), in a pass of their own after the shard's run (``meltano run --full-refresh``
under the state ID ``<account>.<shard>.moves``: the pass keeps no bookmark of its own).

Where a shard's search for moves begins is the bound of its last run that succeeded, pass
included (``checked``, a file beside the plan: ``<plan>.moves.json``), so the windows follow
each other and a failed run's moves are searched again: a move is found by its new shard's
first plan after it, and read by the first run of that shard that succeeds. An asset that was only edited (or moved after its old shard read it) is
found too, and read again: a newer copy of a record the loader already holds, which its merge
by key keeps once; nothing moved in is lost. With ``replication_key: updated_at`` a move is a
change the shard's own run reads, so there is no pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from lexful_api import LexfulClient, contract
from lexful_dagster import plan, shards
from lexful_dagster.config import Account

#: The API takes at most this many values in one ``[in]`` filter [A: the sandbox's limit].
IN_LIMIT = 1000
PASS_SUFFIX = ".moves"


def checked_path(account: Account) -> Path:
    return account.plan_path.with_name(f"{account.plan_path.name}.moves.json")


def checked(account: Account, shard: int) -> str | None:
    """Where the shard's search for moves begins: the bound of its last successful run."""
    try:
        raw = json.loads(checked_path(account).read_text())
    except FileNotFoundError:
        return None
    value = raw.get(str(shard)) if isinstance(raw, dict) else None
    return str(value) if value else None


def mark_checked(account: Account, shard: int, bound: str) -> None:
    """After the shard's run (and its passes) succeeded: moves before ``bound`` are read."""
    path = checked_path(account)
    with plan.locked(account.plan_path):
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raw = {}
        raw[str(shard)] = bound
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(raw, indent=1, sort_keys=True) + "\n")
        os.replace(partial, path)


def moved_in(
    client: LexfulClient,
    organization_ids: Sequence[str],
    asset_types: Sequence[str],
    window: tuple[str, str, str],
) -> dict[str, list[str]]:
    """Stream name -> ids of assets in ``organization_ids`` created before ``window[0]`` (the
    shard's previous bound) and updated in ``[window[1], window[2])`` (since its last
    successful run, before this run's bound)."""
    previous, since, bound = window
    found: dict[str, list[str]] = {}
    for start in range(0, len(organization_ids), IN_LIMIT):
        chunk = ",".join(organization_ids[start : start + IN_LIMIT])
        for name in asset_types:
            params = {
                "organization_id[in]": chunk,
                "created_at[lt]": previous,
                "updated_at[gte]": since,
                "updated_at[lt]": bound,
                "fields": "id",
            }
            path = contract.assets_path(name)
            ids = [str(item["id"]) for item in client.iter_list(path, params, IN_LIMIT)]
            if ids:
                found.setdefault(shards.asset_stream(name), []).extend(ids)
    return found


def passes(found: dict[str, list[str]]) -> list[dict[str, str]]:
    """The environment overrides of each pass that reads ``found``: its streams selected, an
    ``id[in]`` filter of at most ``IN_LIMIT`` ids on each."""
    runs: list[dict[str, str]] = []
    longest = max((len(ids) for ids in found.values()), default=0)
    for start in range(0, longest, IN_LIMIT):
        filters = {
            stream: {"id[in]": ",".join(ids[start : start + IN_LIMIT])}
            for stream, ids in sorted(found.items())
            if ids[start : start + IN_LIMIT]
        }
        runs.append(
            {
                "TAP_LEXFUL__SELECT": json.dumps([f"{stream}.*" for stream in filters]),
                "TAP_LEXFUL_FILTERS": json.dumps(filters),
            }
        )
    return runs


def pass_command(command: Sequence[str]) -> list[str]:
    """The shard's ``meltano run`` as a pass: its own state ID, and no bookmark read."""
    result = list(command)
    at = result.index("--state-id-suffix") + 1
    result[at] += PASS_SUFFIX
    return [*result[: at + 1], "--full-refresh", *result[at + 1 :]]
