"""What each organization weighs: its live assets, counted again at every plan.

The plan balances shards by these counts, so they are refreshed each time a shard plans: one
``GET /v1/entities/counts`` [D] gives every organization's count of every asset type. Should
that call fail (an API without it), the lists' ``total`` stands in: one ``limit=1`` call per
organization and asset type, or, when that would cost more requests, one walk of each asset
list asking only ``organization_id`` (1000 a page).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from lexful_api import LexfulClient, contract
from lexful_api.errors import LexfulHTTPError

LOGGER = logging.getLogger("lexful_dagster.weights")
_COUNT_CONCURRENCY = 8


def current(
    client: LexfulClient, organization_ids: Sequence[str], asset_types: Sequence[str]
) -> dict[str, int]:
    """Live assets of the ``asset_types`` per organization (0 for one without any)."""
    try:
        body = client.get_json(contract.entity_counts_path(), {})
        by_type = contract.entity_counts(body)
    except (LexfulHTTPError, ValueError) as exc:
        LOGGER.warning("No entity counts (%s): counting from the lists' totals", exc)
        return count_assets(client, organization_ids, asset_types)
    counts = dict.fromkeys(organization_ids, 0)
    for name in asset_types:
        for org, found in by_type.get(name, {}).items():
            if org in counts:
                counts[org] += found
    return counts


def count_assets(
    client: LexfulClient, organization_ids: Sequence[str], asset_types: Sequence[str]
) -> dict[str, int]:
    """Live assets per organization from the lists, by whichever way costs fewer requests."""
    if not organization_ids:
        return {}
    totals = {name: _total(client, contract.assets_path(name), {}) for name in asset_types}
    per_organization = len(organization_ids) * len(asset_types)
    walking = sum(max(1, math.ceil(t / contract.MAX_PAGE_SIZE)) for t in totals.values())
    if per_organization <= walking:
        return count_each(client, organization_ids, asset_types)
    return count_walking(client, organization_ids, asset_types)


def count_each(
    client: LexfulClient, organization_ids: Sequence[str], asset_types: Sequence[str]
) -> dict[str, int]:
    """One ``limit=1`` call per organization and type, a few at a time."""
    pairs = [(org, name) for org in organization_ids for name in asset_types]

    def total(pair: tuple[str, str]) -> int:
        org, name = pair
        return _total(client, contract.assets_path(name), {"organization_id": org})

    counts = dict.fromkeys(organization_ids, 0)
    with ThreadPoolExecutor(_COUNT_CONCURRENCY) as pool:
        for (org, _), found in zip(pairs, pool.map(total, pairs), strict=True):
            counts[org] += found
    return counts


def count_walking(
    client: LexfulClient, organization_ids: Sequence[str], asset_types: Sequence[str]
) -> dict[str, int]:
    """Walk each asset list for its ``organization_id`` only and count."""
    counts = dict.fromkeys(organization_ids, 0)
    params = {"fields": "organization_id"}
    for name in asset_types:
        path = contract.assets_path(name)
        for asset in client.iter_list(path, params, contract.MAX_PAGE_SIZE):
            org = asset.get("organization_id")
            if org in counts:
                counts[str(org)] += 1
    return counts


def _total(client: LexfulClient, path: str, params: dict[str, str]) -> int:
    # No total [D says there is one]: weigh it 0. Balance is all a count is for; which
    # organizations a shard reads never depends on it.
    return contract.list_total(client.get_json(path, {**params, "limit": 1})) or 0
