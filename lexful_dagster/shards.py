"""A partition as a Meltano run: its key, its state ID, its command and its environment.

An account has one partition per shard: ``account`` for the account-wide streams, read once
(organization types, asset types, users: no organization owns them), and ``orgs-0`` ...
``orgs-<N-1>`` for everything organizations own (organizations, assets, their links and files).
Everything reaches ``meltano run`` as environment variables, which Meltano ranks above
``meltano.yml``:

- the connection: ``TAP_LEXFUL_API_URL``, ``_ACCOUNT_ID``, ``_API_KEY_ID``, ``_API_KEY_SECRET``,
  and the account's ``tap_settings``, ``TAP_LEXFUL_<NAME>`` each;
- the streams: ``TAP_LEXFUL__SELECT``, Meltano's own override of the plugin's ``select`` list;
- an organization shard's organizations: ``TAP_LEXFUL_ORGANIZATION_IDS`` (a JSON array);
- its bound (see ``plan``): ``TAP_LEXFUL_FILTERS``, ``<replication key>[lt]`` on every stream
  it follows by that key. This replaces a ``filters`` setting of ``meltano.yml``;
- the loader's settings of the partition (``loader_env``, ``{account}`` and ``{shard}`` filled
  in), and the project's (``meltano.env``: a state backend, for example).

The state ID is Meltano's ``<environment>:tap-lexful-to-<loader>:<account>.<shard>``: one state
per account and shard, wherever the state backend keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lexful_api import contract
from lexful_dagster.config import Account, MeltanoProject

ACCOUNT_WIDE = "account"
ORGANIZATION_PREFIX = "orgs-"
# asset_counts: the API's counts of the whole account, read once (one request) per run.
ACCOUNT_STREAMS = ("organization_types", "asset_types", "users", "asset_counts")
# tap-lexful's streams that are not asset types: an asset type whose stream name is one of
# these is synced as "asset_<name>" (tap_lexful/tap.py), and its filter must say so too.
_FIXED_STREAMS = frozenset({*ACCOUNT_STREAMS, "organizations", "related_assets", "files"})
EXTRACTOR = "tap-lexful"


def partition_keys(account: Account) -> list[str]:
    """The account-wide shard, then the organization shards."""
    shards = range(account.organization_shards)
    return [ACCOUNT_WIDE, *(f"{ORGANIZATION_PREFIX}{k}" for k in shards)]


def organization_shard(key: str) -> int | None:
    """The organization shard a partition key names; None for the account-wide one."""
    if key == ACCOUNT_WIDE:
        return None
    return int(key.removeprefix(ORGANIZATION_PREFIX))


def state_suffix(account: Account, key: str) -> str:
    return f"{account.name}.{key}"


def meltano_command(project: MeltanoProject, account: Account, key: str) -> list[str]:
    """``meltano [--environment E] run --state-id-suffix <account>.<shard> tap-lexful <loader>``."""
    command = [project.executable]
    if project.environment:
        command += ["--environment", project.environment]
    suffix = state_suffix(account, key)
    return [*command, "run", "--state-id-suffix", suffix, EXTRACTOR, account.loader]


def selection(key: str) -> list[str]:
    """Meltano select patterns: the account-wide streams, or every stream but those."""
    if key == ACCOUNT_WIDE:
        return [f"{name}.*" for name in ACCOUNT_STREAMS]
    return ["*.*", *(f"!{name}.*" for name in ACCOUNT_STREAMS)]


def bound_filters(
    asset_types: Sequence[str], replication_key: str, bound: str, chosen: Sequence[str] = ()
) -> dict[str, dict[str, str]]:
    """``<key>[lt]: bound`` for organizations and every asset stream the run has.

    ``chosen``: the account's ``asset_types`` setting, if any. The tap has a stream for those
    types only, and refuses a filter on a stream it does not have.
    """
    kept = [name for name in asset_types if not chosen or name in chosen]
    names = ["organizations", *(asset_stream(name) for name in kept)]
    return {name: {f"{replication_key}[lt]": bound} for name in names}


def asset_stream(asset_type: str) -> str:
    """The stream tap-lexful names an asset type's assets."""
    name = contract.stream_name(asset_type)
    return f"asset_{name}" if name in _FIXED_STREAMS else name


def _env_value(value: Any) -> str:
    """A setting as Meltano reads it from the environment: arrays and objects as JSON."""
    if isinstance(value, (dict, list, bool)):
        return json.dumps(value)
    return str(value)


def meltano_env(
    project: MeltanoProject,
    account: Account,
    key: str,
    organization_ids: Sequence[str] = (),
    filters: dict[str, dict[str, str]] | None = None,
) -> dict[str, str]:
    """The environment of the partition's ``meltano run``; holds the secret, never log it."""
    env = dict(project.env)
    # Plain replacement, not str.format: a value may hold braces of its own (JSON).
    env |= {
        name: value.replace("{account}", account.name).replace("{shard}", key)
        for name, value in account.loader_env.items()
    }
    settings = {**account.tap_settings, **account.connection()}
    env |= {f"TAP_LEXFUL_{name.upper()}": _env_value(value) for name, value in settings.items()}
    env["TAP_LEXFUL_REPLICATION_KEY"] = account.replication_key
    env["TAP_LEXFUL__SELECT"] = json.dumps(selection(key))
    if organization_shard(key) is not None:
        # Never an empty list here: the tap reads an empty organization_ids as "all of them".
        if not organization_ids:
            msg = f"{state_suffix(account, key)}: an organization shard needs organizations"
            raise ValueError(msg)
        env["TAP_LEXFUL_ORGANIZATION_IDS"] = json.dumps(list(organization_ids))
        env["TAP_LEXFUL_FILTERS"] = json.dumps(filters or {})
    return env
