"""The shard plan of an account: which organizations each shard reads, kept stable across runs.

Each shard keeps its own Meltano state (one bookmark per stream, ``--state-id-suffix``), so an
organization must never change shards: the shard it left would have read it, the shard it
joined reads it again from that shard's bookmarks (or misses what lies before them). The plan
is therefore a file (``Account.plan_path``), and an assignment, once written, is never changed:

- **The first plan** balances the organizations by asset count (the largest first, each to the
  shard with the fewest assets so far). Counts come from the lists' ``total``: one ``limit=1``
  call per organization and asset type, or, when that would cost more requests, one walk of
  each asset list asking only ``organization_id`` (1000 a page).
- **Organizations added later** go to the shard with the fewest assets, and that is safe for
  every shard because of two rules. A shard plans before it runs, under a lock on the file: it
  takes the server's time (its ``Date`` header) as its *bound*, then lists the organizations
  (deleted ones too: their assets stay) and assigns the new ones. And its run reads only records
  whose replication key is below that bound (a ``<key>[lt]`` filter). So a shard's bookmarks are
  always below its last bound, and an organization the plan has not seen yet was created at or
  after every shard's last bound (before it, that shard's listing would have seen it): whichever
  shard it joins has no bookmark past any of its records, and reads it from its first. Without
  the bound, a shard's run could read records created while it runs, and an organization created
  in that time would lose its records from before that shard's bookmarks. The plan checks the
  rule (bound <= creation) each time it places an organization, and refuses rather than break
  it (a server whose lists lag behind its writes could). What a run leaves at or above its
  bound, the shard's next run reads.
- **Shards can be added** (existing organizations keep theirs; new shards start empty and get
  newcomers first, being lightest) but **not removed**: their organizations would have to move.
  Fewer shards means a new plan and a full refresh: delete the plan and the shards' states.

An asset moved to another organization after it was read is not read again (with
``replication_key: created_at``), by one run and by shards alike.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from connector_core import safe_files
from lexful_api import LexfulClient, contract
from lexful_dagster.config import Account

LOGGER = logging.getLogger("lexful_dagster.plan")
PLAN_VERSION = 1
# Only when the server sends no Date header (RFC 9110 says an origin server with a clock
# must): our own clock, set back so that a skew of up to this much cannot make it run ahead.
_CLOCK_MARGIN = timedelta(minutes=10)
_COUNT_CONCURRENCY = 8
#: The most organizations a shard reads: one ``organization_id[in]`` list [A: the sandbox's].
MAX_SHARD_ORGANIZATIONS = 1000


class PlanError(RuntimeError):
    """The plan cannot serve this configuration (another account, fewer shards)."""


@dataclass(frozen=True)
class Organization:
    """An organization to place: its id, creation time (API form) and asset count."""

    id: str
    created_at: str
    assets: int = 0


@dataclass
class Assignment:
    """Where an organization went and what it weighed then."""

    shard: int
    assets: int
    created_at: str


@dataclass
class Plan:
    """Organizations by shard, and each shard's last bound; what the plan file holds."""

    account_id: str
    shards: int
    organizations: dict[str, Assignment] = field(default_factory=dict)
    bounds: dict[int, str] = field(default_factory=dict)

    def members(self, shard: int) -> list[str]:
        """The organization ids of ``shard``, in a fixed order."""
        return sorted(org for org, where in self.organizations.items() if where.shard == shard)

    def weights(self) -> list[int]:
        """The assets of each shard, as counted when its organizations were assigned."""
        totals = [0] * self.shards
        for where in self.organizations.values():
            totals[where.shard] += where.assets
        return totals

    def safe_shards(self, created_at: str) -> list[int]:
        """The shards whose bookmarks cannot have passed a record created at ``created_at``."""
        moment = contract.api_timestamp(created_at)
        return [k for k in range(self.shards) if k not in self.bounds or self.bounds[k] <= moment]

    def to_json(self) -> dict[str, object]:
        return {
            "version": PLAN_VERSION,
            "account_id": self.account_id,
            "shards": self.shards,
            "organizations": {org: asdict(where) for org, where in self.organizations.items()},
            "bounds": {str(shard): bound for shard, bound in sorted(self.bounds.items())},
        }

    @classmethod
    def from_json(cls, raw: Any) -> Plan:
        organizations = raw.get("organizations") if isinstance(raw, dict) else None
        bounds = raw.get("bounds") if isinstance(raw, dict) else None
        if not isinstance(organizations, dict) or not isinstance(bounds, dict):
            raise PlanError("not a plan file: no 'organizations' and 'bounds'")
        if raw.get("version") != PLAN_VERSION:
            raise PlanError(f"plan file version {raw.get('version')!r}, expected {PLAN_VERSION}")
        return cls(
            account_id=str(raw["account_id"]),
            shards=int(str(raw["shards"])),
            organizations={org: Assignment(**where) for org, where in organizations.items()},
            bounds={int(shard): str(bound) for shard, bound in bounds.items()},
        )


@dataclass(frozen=True)
class ShardRun:
    """What a shard's run needs from the plan: its organizations, its bound, the asset types."""

    organization_ids: list[str]
    bound: str
    asset_types: list[str]
    added: list[str]
    previous_bound: str | None = None  # the shard's bound before this plan: see ``moves``


def assign(plan: Plan, newcomers: Sequence[Organization]) -> dict[str, int]:
    """Place ``newcomers`` (changing ``plan``); returns organization id -> shard.

    The largest first, each to the lightest of its safe shards (then the one with the fewest
    organizations, then the lowest index): the classic greedy balance, which keeps the
    heaviest shard within 4/3 of the best split, and spreads organizations without assets
    evenly. A shard never gets more than ``MAX_SHARD_ORGANIZATIONS``: it sends them all in one
    ``organization_id[in]`` list, which the API limits.
    """
    weights = plan.weights()
    sizes = [len(plan.members(k)) for k in range(plan.shards)]
    placed: dict[str, int] = {}
    for org in sorted(newcomers, key=lambda o: (-o.assets, o.created_at, o.id)):
        candidates = plan.safe_shards(org.created_at)
        if not candidates:
            # Cannot happen when shards plan before they run (see the module's docstring);
            # placing it anyway could lose its first records, so stop and say so.
            msg = f"organization {org.id}: no shard can take it without losing records"
            raise PlanError(msg)
        roomy = [k for k in candidates if sizes[k] < MAX_SHARD_ORGANIZATIONS]
        if not roomy:
            msg = (
                f"organization {org.id}: every shard that can take it has "
                f"{MAX_SHARD_ORGANIZATIONS} organizations (the API's limit of one list): "
                "raise organization_shards"
            )
            raise PlanError(msg)
        shard = min(roomy, key=lambda k: (weights[k], sizes[k], k))
        weights[shard] += org.assets
        sizes[shard] += 1
        plan.organizations[org.id] = Assignment(shard, org.assets, org.created_at)
        placed[org.id] = shard
    return placed


def prepare_shard(client: LexfulClient, account: Account, shard: int) -> ShardRun:
    """Refresh the plan for a run of organization shard ``shard``; what that run reads."""
    with locked(account.plan_path):
        plan = read(account.plan_path) or Plan(account.account_id, account.organization_shards)
        _fit(plan, account)
        bound = server_time(client)  # before the listing: it sees everything created before
        asset_types = list_asset_types(client)
        listed = list_organizations(client)
        new_ids = [org.id for org in listed if org.id not in plan.organizations]
        counts = count_assets(client, new_ids, asset_types) if new_ids else {}
        newcomers = [
            Organization(org.id, org.created_at, counts.get(org.id, 0))
            for org in listed
            if org.id in counts
        ]
        placed = assign(plan, newcomers)
        members = plan.members(shard)
        previous = plan.bounds.get(shard)
        if members:  # a shard that never ran has no bookmarks, hence no bound to keep
            plan.bounds[shard] = bound
        write(account.plan_path, plan)
    added = sorted(org for org, where in placed.items() if where == shard)
    LOGGER.info(
        "Plan of %s: shard %d reads %d organizations (%d new), bound %s; %d new in all",
        *(account.name, shard, len(members), len(added), bound, len(placed)),
    )
    return ShardRun(members, bound, asset_types, added, previous)


def _fit(plan: Plan, account: Account) -> None:
    """Check the plan against the account; grow it to more shards, never fewer."""
    if plan.account_id != account.account_id:
        msg = f"{account.plan_path} is the plan of account {plan.account_id}, not {account.name}"
        raise PlanError(msg)
    if account.organization_shards < plan.shards:
        msg = (
            f"{account.plan_path} has {plan.shards} shards and the config "
            f"{account.organization_shards}: organizations cannot move between shards without "
            "being read twice or lost. To shrink, delete the plan and the shards' states and "
            "run every shard once more in full."
        )
        raise PlanError(msg)
    plan.shards = account.organization_shards


# --- the API ----------------------------------------------------------------------------------


def server_time(client: LexfulClient) -> str:
    """The server's clock to the second (its ``Date`` header), in the API's form."""
    response = client.request("GET", contract.organizations_path(), params={"limit": 1})
    header = response.headers.get("Date")
    response.close()
    if header:
        return contract.format_timestamp(parsedate_to_datetime(header))
    LOGGER.warning("No Date header from the API: the bound comes from our clock, set back")
    return contract.format_timestamp(datetime.now(timezone.utc) - _CLOCK_MARGIN)


def list_organizations(client: LexfulClient) -> list[Organization]:
    """Every organization of the account, deleted ones too: their assets are still there."""
    params = {"include_deleted": "true", "fields": "id,created_at"}
    return [
        Organization(str(org["id"]), contract.api_timestamp(str(org["created_at"])))
        for org in client.iter_list(contract.organizations_path(), params, contract.MAX_PAGE_SIZE)
    ]


def list_asset_types(client: LexfulClient) -> list[str]:
    """The names of the account's (live) asset types."""
    return [str(item["name"]) for item in client.iter_list(contract.asset_types_path())]


def count_assets(
    client: LexfulClient, organization_ids: Sequence[str], asset_types: Sequence[str]
) -> dict[str, int]:
    """Live assets per organization, by whichever way costs fewer requests."""
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


# --- the file ---------------------------------------------------------------------------------


def read(path: Path) -> Plan | None:
    """The plan in ``path``, or None when there is none yet."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    try:
        return Plan.from_json(raw)
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None


def write(path: Path, plan: Plan) -> None:
    """Replace the file in one step: a reader sees the old plan or the new one, never half."""
    path.parent.mkdir(mode=safe_files.DIR_MODE, parents=True, exist_ok=True)
    # A fresh 0600 name (O_EXCL), renamed: never through a symlink planted at a known name.
    text = json.dumps(plan.to_json(), indent=1, sort_keys=True) + "\n"
    safe_files.write_private(path, text.encode())


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the plan (a file beside it), held while a shard plans."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f"{path.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
