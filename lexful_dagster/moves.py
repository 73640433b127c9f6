"""Assets moved into a shard's organizations after that shard's bookmarks passed them.

With ``replication_key: created_at`` (the default) an asset keeps its key when it moves to
another organization. If it moves from a shard that had not read it yet to a shard whose
bookmarks are past its ``created_at``, neither shard's run would read it, where one plain
``meltano run`` does. A move changes the asset's ``updated_at``, so each organization shard,
when it plans, reads its bookmarks (``meltano state get``) and asks for the assets now in its
organizations that the bookmark of their stream has passed and that were updated since its
last successful run (``[since, this bound)``): every asset that moved in since is among them.
Its run then reads them by id (``id[in]``), in a pass of their own after the shard's run
(``meltano run --full-refresh`` under the state ID ``<account>.<shard>.moves``: the pass keeps
no bookmark of its own).

Where a shard's search for moves begins is the bound of its last run that succeeded, pass
included (the plan's ``checked``, kept with the plan in the state backend), so the windows
follow each other and a failed run's moves are searched again: a move is found by its new
shard's first plan after it, and read by the first run of that shard that succeeds.

Organizations the stream's bookmark does not cover yet (just added to the shard) are not
searched: the tap reads them from their first record (its catch-up) anyway.

An asset that was only edited (or moved after its old shard read it) is found too, and read
again: a newer copy of a record the loader already holds, which its merge by key keeps once;
nothing moved in is lost. With ``replication_key: updated_at`` a move is a
change the shard's own run reads, so there is no pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from lexful_api import LexfulClient, contract
from lexful_dagster import shards
from lexful_dagster.states import Mark

#: The API takes at most this many values in one ``[in]`` filter [A: the sandbox's limit].
IN_LIMIT = 1000
PASS_SUFFIX = ".moves"


def moved_in(
    client: LexfulClient,
    organization_ids: Sequence[str],
    marks: dict[str, Mark],
    asset_types: Sequence[str],
    window: tuple[str, str],
) -> dict[str, list[str]]:
    """Stream name -> ids of assets now in ``organization_ids`` that the stream's bookmark
    (``marks``: its value and the last id emitted at it) has passed and that were updated in
    ``window`` (since the shard's last successful run, before this run's bound)."""
    since, bound = window
    found: dict[str, list[str]] = {}
    for name in asset_types:
        stream = shards.asset_stream(name)
        if stream not in marks:
            continue  # no bookmark: the shard's run reads the stream from its start
        value, last_id, covered = marks[stream]
        searched = [o for o in organization_ids if covered is None or o in covered]
        for start in range(0, len(searched), IN_LIMIT):
            params = {
                "organization_id[in]": ",".join(searched[start : start + IN_LIMIT]),
                "created_at[lte]": value,
                "updated_at[gte]": since,
                "updated_at[lt]": bound,
                "fields": "id,created_at",
            }
            for item in client.iter_list(contract.assets_path(name), params, IN_LIMIT):
                created = contract.reformat_timestamp(str(item["created_at"]))
                # At the bookmark itself, the run goes on after the last id it emitted.
                if created < value or str(item["id"]) <= last_id:
                    found.setdefault(stream, []).append(str(item["id"]))
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
