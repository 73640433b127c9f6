"""The shard plan of an account: which organizations each shard reads.

Each shard keeps its own Meltano state (one bookmark per stream, ``--state-id-suffix``), and
that state records the organizations it was made for (tap-lexful's ``scope``). An organization
a shard's state does not cover is read by that shard from its first record (tap-lexful's
catch-up, ``tap_lexful/bookmarks.py``), up to the bookmark, before the usual walk goes on from
it. So an organization may join any shard at any time and lose nothing; what moving costs is
a re-read: the shard it left has loaded its records already, and the loader's merge by key
keeps one copy of each.

The plan is kept where the shards' states are (a Meltano state entry, ``states.PlanStore``)
and mirrored in a local file (``Account.plan_path``); see ``load``. At each plan, under a lock
on the file:

- **Weights are refreshed**: each organization's live assets (``weights``, one
  ``GET /v1/entities/counts``).
- **Shard counts follow the config** both ways. Fewer shards: the organizations of the shards
  that go are placed like newcomers. More: organizations move from the heaviest shard to the
  lightest while that narrows the gap (``spread``). Moves happen only then; otherwise an
  assignment is kept, so that no run re-reads what it need not.
- **Organizations added** since (deleted ones are listed too: their assets stay) go to the
  shard with the fewest assets now, the largest first.
- A shard never gets more than ``MAX_SHARD_ORGANIZATIONS``: it sends them in one
  ``organization_id[in]`` list, which the API limits; the plan refuses rather than pass it.

The shard then takes the server's time (its ``Date`` header) as its *bound*: its run reads
only records whose replication key is below it (a ``<key>[lt]`` filter), and ``moves`` uses
the bounds to search for assets moved between organizations since the shard's last run.
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

from connector_core import safe_files
from lexful_api import LexfulClient, contract
from lexful_dagster import weights
from lexful_dagster.config import Account

LOGGER = logging.getLogger("lexful_dagster.plan")
PLAN_VERSION = 2
_READABLE_VERSIONS = (1, 2)  # 1: before ``checked``
# Only when the server sends no Date header (RFC 9110 says an origin server with a clock
# must): our own clock, set back so that a skew of up to this much cannot make it run ahead.
_CLOCK_MARGIN = timedelta(minutes=10)
#: The most organizations a shard reads: one ``organization_id[in]`` list [A: the sandbox's].
MAX_SHARD_ORGANIZATIONS = 1000


class PlanError(RuntimeError):
    """The plan cannot serve this configuration (another account, too many organizations)."""


class PlanStore(Protocol):
    """Where the plan lives beside the shards' states (``states.MeltanoPlanStore``)."""

    def get(self) -> Any | None:
        """The stored plan (its JSON form), None when there is none."""

    def put(self, raw: dict[str, object]) -> None:
        """Store the plan (its JSON form), replacing the one stored."""

    def before_fresh_plan(self) -> None:
        """Raise when no plan may be made afresh (the shards have states)."""


@dataclass(frozen=True)
class Organization:
    """An organization to place: its id, creation time (API form) and asset count."""

    id: str
    created_at: str
    assets: int = 0


@dataclass
class Assignment:
    """Where an organization is and what it weighed at the last plan."""

    shard: int
    assets: int
    created_at: str


@dataclass
class Plan:
    """Organizations by shard; each shard's last bound, and where its search for moves
    begins (``checked``: the bound of its last successful run, see ``moves``)."""

    account_id: str
    shards: int
    organizations: dict[str, Assignment] = field(default_factory=dict)
    bounds: dict[int, str] = field(default_factory=dict)
    checked: dict[int, str] = field(default_factory=dict)

    def members(self, shard: int) -> list[str]:
        """The organization ids of ``shard``, in a fixed order."""
        return sorted(org for org, where in self.organizations.items() if where.shard == shard)

    def weights(self) -> list[int]:
        """The assets of each shard, as counted at the last plan."""
        totals = [0] * self.shards
        for where in self.organizations.values():
            totals[where.shard] += where.assets
        return totals

    def sizes(self) -> list[int]:
        """The organizations of each shard."""
        totals = [0] * self.shards
        for where in self.organizations.values():
            totals[where.shard] += 1
        return totals

    def to_json(self) -> dict[str, object]:
        return {
            "version": PLAN_VERSION,
            "account_id": self.account_id,
            "shards": self.shards,
            "organizations": {org: asdict(where) for org, where in self.organizations.items()},
            "bounds": {str(shard): bound for shard, bound in sorted(self.bounds.items())},
            "checked": {str(shard): mark for shard, mark in sorted(self.checked.items())},
        }

    @classmethod
    def from_json(cls, raw: Any) -> Plan:
        organizations = raw.get("organizations") if isinstance(raw, dict) else None
        bounds = raw.get("bounds") if isinstance(raw, dict) else None
        if not isinstance(organizations, dict) or not isinstance(bounds, dict):
            raise PlanError("not a plan: no 'organizations' and 'bounds'")
        if raw.get("version") not in _READABLE_VERSIONS:
            raise PlanError(f"plan version {raw.get('version')!r}, expected {PLAN_VERSION}")
        checked = raw.get("checked") or {}
        return cls(
            account_id=str(raw["account_id"]),
            shards=int(str(raw["shards"])),
            organizations={org: Assignment(**where) for org, where in organizations.items()},
            bounds={int(shard): str(bound) for shard, bound in bounds.items()},
            checked={int(shard): str(mark) for shard, mark in checked.items()},
        )


@dataclass(frozen=True)
class ShardRun:
    """What a shard's run needs from the plan: its organizations, its bound, the asset types."""

    organization_ids: list[str]
    bound: str
    asset_types: list[str]
    added: list[str]  # newcomers and organizations moved in by this plan
    previous_bound: str | None = None  # the shard's bound before this plan: see ``moves``
    checked: str | None = None  # where its search for moves begins: see ``moves``


def assign(plan: Plan, newcomers: Sequence[Organization]) -> dict[str, int]:
    """Place ``newcomers`` (changing ``plan``); returns organization id -> shard.

    The largest first, each to the lightest shard (then the one with the fewest
    organizations, then the lowest index): the classic greedy balance, which keeps the
    heaviest shard within 4/3 of the best split, and spreads organizations without assets
    evenly. A shard never gets more than ``MAX_SHARD_ORGANIZATIONS``.
    """
    loads = plan.weights()
    sizes = plan.sizes()
    placed: dict[str, int] = {}
    for org in sorted(newcomers, key=lambda o: (-o.assets, o.created_at, o.id)):
        roomy = [k for k in range(plan.shards) if sizes[k] < MAX_SHARD_ORGANIZATIONS]
        if not roomy:
            msg = (
                f"organization {org.id}: every shard has {MAX_SHARD_ORGANIZATIONS} "
                "organizations (the API's limit of one list): raise organization_shards"
            )
            raise PlanError(msg)
        shard = min(roomy, key=lambda k: (loads[k], sizes[k], k))
        loads[shard] += org.assets
        sizes[shard] += 1
        plan.organizations[org.id] = Assignment(shard, org.assets, org.created_at)
        placed[org.id] = shard
    return placed


def resize(plan: Plan, shards: int) -> dict[str, int]:
    """Give ``plan`` ``shards`` shards; the organizations that moved -> their new shard."""
    if shards < plan.shards:
        leaving = [
            Organization(org, where.created_at, where.assets)
            for org, where in plan.organizations.items()
            if where.shard >= shards
        ]
        for org in leaving:
            del plan.organizations[org.id]
        for gone in range(shards, plan.shards):
            plan.bounds.pop(gone, None)
            plan.checked.pop(gone, None)
        plan.shards = shards
        return assign(plan, leaving)
    if shards > plan.shards:
        new = range(plan.shards, shards)
        plan.shards = shards
        return spread(plan, new)
    return {}


def spread(plan: Plan, new: range) -> dict[str, int]:
    """Move organizations from the heaviest shard to the lightest of the ``new`` shards while
    that narrows the gap between them (the largest that does, each time); organization id ->
    its new shard. Only into new shards: each move costs the organization a re-read."""
    moved: dict[str, int] = {}
    for _ in range(len(plan.organizations)):
        loads, sizes = plan.weights(), plan.sizes()
        heavy = max(range(plan.shards), key=lambda k: (loads[k], -k))
        light = min(new, key=lambda k: (loads[k], sizes[k], k))
        gap = loads[heavy] - loads[light]
        fits = [o for o in plan.members(heavy) if 0 < plan.organizations[o].assets < gap]
        if not fits or sizes[light] >= MAX_SHARD_ORGANIZATIONS:
            break
        org = max(fits, key=lambda o: (plan.organizations[o].assets, o))
        plan.organizations[org].shard = light
        moved[org] = light
    return moved


def prepare_shard(
    client: LexfulClient, account: Account, shard: int, store: PlanStore | None = None
) -> ShardRun:
    """Refresh the plan for a run of organization shard ``shard``; what that run reads."""
    with locked(account.plan_path):
        plan = load(account, store)
        if plan is None:
            if store is not None:
                store.before_fresh_plan()
            plan = Plan(account.account_id, account.organization_shards)
        if plan.account_id != account.account_id:
            msg = f"the plan of {account.name} is the plan of account {plan.account_id}"
            raise PlanError(msg)
        bound = server_time(client)  # before the listing: it sees everything created before
        asset_types = list_asset_types(client)
        listed = list_organizations(client)
        chosen = [str(t) for t in account.tap_settings.get("asset_types") or []]
        kept = [name for name in asset_types if not chosen or name in chosen]
        counts = weights.current(client, [org.id for org in listed], kept)
        for org, where in plan.organizations.items():
            where.assets = counts.get(org, 0)
        moved = resize(plan, account.organization_shards)
        newcomers = [
            Organization(org.id, org.created_at, counts.get(org.id, 0))
            for org in listed
            if org.id not in plan.organizations
        ]
        placed = assign(plan, newcomers) | moved
        members = plan.members(shard)
        previous, checked = plan.bounds.get(shard), plan.checked.get(shard)
        if members:  # a shard that never ran has no bookmarks, hence no bound to keep
            plan.bounds[shard] = bound
        save(account, plan, store)
    added = sorted(org for org, where in placed.items() if where == shard)
    LOGGER.info(
        "Plan of %s: shard %d reads %d organizations (%d added), bound %s; %d new, %d moved",
        *(account.name, shard, len(members), len(added), bound, len(newcomers), len(moved)),
    )
    return ShardRun(members, bound, asset_types, added, previous, checked)


def mark_checked(account: Account, shard: int, bound: str, store: PlanStore | None) -> None:
    """After the shard's run (and its passes) succeeded: moves before ``bound`` are read."""
    with locked(account.plan_path):
        plan = load(account, store)
        if plan is None or shard >= plan.shards:
            return
        if plan.checked.get(shard, "") < bound:
            plan.checked[shard] = bound
            save(account, plan, store)


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
        Organization(str(org["id"]), contract.reformat_timestamp(str(org["created_at"])))
        for org in client.iter_list(contract.organizations_path(), params, contract.MAX_PAGE_SIZE)
    ]


def list_asset_types(client: LexfulClient) -> list[str]:
    """The names of the account's (live) asset types."""
    return [str(item["name"]) for item in client.iter_list(contract.asset_types_path())]


# --- where it is kept -------------------------------------------------------------------------


def load(account: Account, store: PlanStore | None) -> Plan | None:
    """The account's plan: the stored one (the state backend's) when there is one, else the
    local file's (a plan from before the store: ``save`` stores it); None when neither."""
    raw = store.get() if store is not None else None
    if raw is None:
        return read(account.plan_path)
    try:
        return Plan.from_json(raw)
    except PlanError as exc:
        raise PlanError(f"{account.name}: the stored plan: {exc}") from None


def save(account: Account, plan: Plan, store: PlanStore | None) -> None:
    """The local file, then the store: a run that cannot store its plan fails before it reads
    anything (a plan that is not stored costs re-reads later, never records)."""
    write(account.plan_path, plan)
    if store is not None:
        store.put(plan.to_json())


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
