"""The accounts file: which Lexful accounts to run, in how many shards, into which loader.

A YAML (or JSON, a subset of YAML) file::

    meltano:
      project_dir: .            # where meltano.yml is, relative to this file (default: here)
      executable: meltano       # default: $MELTANO_BIN, else `meltano` on PATH
      environment: prod         # optional: meltano --environment
      env:                      # added to every run: a remote state backend, for example
        MELTANO_STATE_BACKEND_URI: s3://bucket/lexful-state
    accounts:
      - name: acme              # the asset's name and part of each state ID: [A-Za-z0-9_]
        api_url: https://api.us.lexful.app
        account_id: 0190...
        api_key_id: 0190...
        api_key_secret_env: ACME_LEXFUL_SECRET   # the secret's env var, never the secret
        organization_shards: 4
        loader: target-jsonl
        loader_env:             # per partition; {account} and {shard} are filled in
          TARGET_JSONL_DESTINATION_PATH: /data/lexful/{account}/{shard}
        plan: acme.plan.json    # default: <name>.plan.json beside this file
        replication_key: created_at
        tap_settings:           # more tap-lexful settings, for the tap and the planner alike
          max_tries: 8
        schedule: "0 * * * *"   # cron of the schedule lexful_<name>_every_shard (stopped)

The tap's settings travel as environment variables. Meltano 4.4.1 fails a run whose
``kind: decimal`` setting comes from one ("Object of type Decimal is not JSON serializable"),
so ``max_requests_per_second``, ``backoff_base_seconds`` and ``request_timeout_seconds`` belong
in ``meltano.yml``, not in ``tap_settings``.

The secret is read from the environment when a partition runs, not when the file is loaded,
so the code location loads on a machine that holds no secret.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lexful_api import contract

_NAME = re.compile(r"^[A-Za-z0-9_]+$")  # what Dagster takes in an asset key
_VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")  # an environment variable's name, as shells write it
_SECRET_LIKE = re.compile(r"[0-9A-Fa-f]{16}")  # a run of hex digits: a key pasted, not a name
_KEYS = {
    "": {"accounts", "meltano"},
    "meltano": {"executable", "environment", "project_dir", "env"},
    "account": {
        "name",
        "api_url",
        "account_id",
        "api_key_id",
        "api_key_secret_env",
        "organization_shards",
        "loader",
        "plan",
        "loader_env",
        "replication_key",
        "tap_settings",
        "schedule",
    },
}
#: The environment variable that names the accounts file (``lexful_dagster.definitions``).
CONFIG_ENV = "LEXFUL_DAGSTER_CONFIG"
REPLICATION_KEYS = ("created_at", "updated_at")
# Settings a partition sets itself (see lexful_dagster.shards), so not in tap_settings.
RESERVED_SETTINGS = frozenset(
    {
        "api_url",
        "account_id",
        "api_key_id",
        "api_key_secret",
        "organization_ids",
        "filters",
        "replication_key",
    }
)


def config_path() -> Path:
    """The accounts file: ``$LEXFUL_DAGSTER_CONFIG``, else ``lexful-dagster.yml`` here."""
    return Path(os.environ.get(CONFIG_ENV, "lexful-dagster.yml"))


class ConfigError(ValueError):
    """The accounts file is malformed; the message names the entry and the key."""


@dataclass(frozen=True)
class Account:
    """One Lexful account, split into ``organization_shards`` shards plus its account-wide one."""

    name: str
    api_url: str
    account_id: str
    api_key_id: str
    api_key_secret_env: str
    organization_shards: int
    loader: str
    plan_path: Path
    loader_env: Mapping[str, str] = field(default_factory=dict)
    replication_key: str = "created_at"
    tap_settings: Mapping[str, Any] = field(default_factory=dict)
    schedule: str = "0 * * * *"  # the cron of the schedule that runs every partition

    def api_key_secret(self) -> str:
        """The secret, from the environment variable the file names."""
        secret = os.environ.get(self.api_key_secret_env)
        if not secret:
            msg = (
                f"account {self.name}: the environment variable {self.api_key_secret_env} is unset"
            )
            raise ConfigError(msg)
        return secret

    def connection(self) -> dict[str, str]:
        """The four connection settings, as tap-lexful and ``client_from_config`` name them."""
        return {
            "api_url": self.api_url,
            "account_id": self.account_id,
            "api_key_id": self.api_key_id,
            "api_key_secret": self.api_key_secret(),
        }

    def client_config(self) -> dict[str, Any]:
        """The connection and the tap's request settings: the planner paces as the tap does."""
        return {**self.tap_settings, **self.connection()}


@dataclass(frozen=True)
class MeltanoProject:
    """Where and how ``meltano`` runs."""

    project_dir: Path
    executable: str
    environment: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """The whole file: the Meltano project and the accounts."""

    meltano: MeltanoProject
    accounts: tuple[Account, ...]


def load(path: Path) -> Settings:
    """Read and check the accounts file at ``path``; every error names the file."""
    try:
        text = path.read_text()
    except OSError as exc:
        msg = f"accounts file {path} ({CONFIG_ENV}): cannot read it: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with 'accounts'")
    try:
        return _settings(raw, path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _settings(raw: dict[str, Any], path: Path) -> Settings:
    _known_keys(raw, "", "")
    _known_keys(raw.get("meltano") or {}, "meltano", "meltano")
    base = path.resolve().parent
    accounts = raw.get("accounts")
    if not isinstance(accounts, list) or not accounts:
        raise ConfigError("'accounts' must be a non-empty list")
    parsed = tuple(_account(entry, base, i) for i, entry in enumerate(accounts))
    names = [account.name for account in parsed]
    if len(set(names)) != len(names):
        raise ConfigError(f"account names must be unique: {names}")
    return Settings(_meltano(raw.get("meltano") or {}, base), parsed)


def _known_keys(raw: Any, kind: str, where: str) -> None:
    """A misspelt key (``organisation_shards``) would silently take the default: refused."""
    if not isinstance(raw, dict):
        return
    for key in raw:
        if str(key) not in _KEYS[kind]:
            close = difflib.get_close_matches(str(key), sorted(_KEYS[kind]), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            place = f"{where}." if where else ""
            raise ConfigError(f"{place}{key}: not a setting of the accounts file{hint}")


def _meltano(raw: Mapping[str, Any], base: Path) -> MeltanoProject:
    executable = raw.get("executable") or os.environ.get("MELTANO_BIN") or "meltano"
    environment = raw.get("environment")
    return MeltanoProject(
        project_dir=(base / str(raw.get("project_dir", "."))).resolve(),
        executable=str(executable),
        environment=str(environment) if environment else None,
        env=_strings(raw.get("env") or {}, "meltano.env"),
    )


def _account(raw: Any, base: Path, index: int) -> Account:
    where = f"accounts[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    _known_keys(raw, "account", where)
    name = _required(raw, "name", where)
    if not _NAME.match(name):
        raise ConfigError(f"{where}.name: {name!r}: only letters, digits and _")
    shards = raw.get("organization_shards", 1)
    if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1:
        raise ConfigError(f"{where}.organization_shards: a whole number of at least 1")
    replication_key = str(raw.get("replication_key", "created_at"))
    if replication_key not in REPLICATION_KEYS:
        raise ConfigError(f"{where}.replication_key: one of {REPLICATION_KEYS}")
    return Account(
        name=name,
        api_url=str(raw.get("api_url") or contract.DEFAULT_API_URL),
        account_id=_required(raw, "account_id", where),
        api_key_id=_required(raw, "api_key_id", where),
        api_key_secret_env=_variable(raw, "api_key_secret_env", where),
        organization_shards=shards,
        loader=_required(raw, "loader", where),
        plan_path=base / str(raw.get("plan") or f"{name}.plan.json"),
        loader_env=_strings(raw.get("loader_env") or {}, f"{where}.loader_env"),
        replication_key=replication_key,
        tap_settings=_tap_settings(raw.get("tap_settings") or {}, f"{where}.tap_settings"),
        schedule=str(raw.get("schedule") or "0 * * * *"),
    )


def _tap_settings(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of tap-lexful settings")
    reserved = sorted(RESERVED_SETTINGS & set(raw))
    if reserved:
        raise ConfigError(f"{where}: {reserved} are set by each partition itself")
    return {str(key): value for key, value in raw.items()}


def _required(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{key}: required, a string")
    return value


def _variable(raw: Mapping[str, Any], key: str, where: str) -> str:
    """An environment variable's name; a value that is not one (a secret pasted by mistake)
    is never repeated in the error."""
    value = raw.get(key)
    if not isinstance(value, str) or not _VARIABLE.match(value) or _SECRET_LIKE.search(value):
        msg = (
            f"{where}.{key}: must be the name of an environment variable (capital letters, "
            "digits and _, not starting with a digit) that holds the secret, never the secret "
            "itself"
        )
        raise ConfigError(msg)
    return value


def _strings(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of names to values")
    return {str(key): str(value) for key, value in raw.items()}
