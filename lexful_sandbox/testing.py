"""``running_sandbox``: the sandbox for tests and benchmarks, in a thread or a child process.

The harness is the core's (``connector_core.sandbox.harness``); this module builds Lexful's
server for it and names the credentials of the first account.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connector_core.sandbox.harness import (
    AdminControl,
    Control,
    SandboxBase,
    ThreadControl,
    fault_flags,
    serve_in_child,
    serve_in_thread,
)
from lexful_sandbox.http.app import build_app
from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.server import Options, prepare
from lexful_sandbox.resources import accounts
from lexful_sandbox.storage.store import Store


class Sandbox(SandboxBase):
    """Credentials of the first account plus control of the running server."""

    def __init__(self, config: dict[str, str], control: Control) -> None:
        super().__init__(config, control)
        self.account_id = config["account_id"]
        self.api_key_id = config["api_key_id"]
        self.api_key_secret = config["api_key_secret"]

    def new_account(self) -> dict[str, str]:
        credentials: dict[str, str] = super().new_account()
        return credentials

    @property
    def store(self) -> Store:
        """Direct access to the data, for tests (in-process sandboxes only)."""
        store = self._control.store()
        assert isinstance(store, Store)
        return store


@contextmanager
def running_sandbox(
    seed: str = "none",
    *,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    error_rate: float = 0.0,
    rate_limit: float = 0.0,
    drop_rate: float = 0.0,
    token_ttl: float = 3600.0,
    seed_scale: int = 0,
    seed_random: int = 1,
    db: str | None = None,
    host: str = "127.0.0.1",
    subprocess: bool = False,
) -> Iterator[Sandbox]:
    faults = Faults(latency_ms, jitter_ms, error_rate, rate_limit, drop_rate, token_ttl)
    options = Options(host, 0, db, seed, seed_scale, seed_random, admin=subprocess, faults=faults)
    runner = _child if subprocess else _thread
    with runner(options) as sandbox:
        yield sandbox


@contextmanager
def _thread(options: Options) -> Iterator[Sandbox]:
    sb, account = prepare(options)
    try:
        with serve_in_thread(build_app(sb), options.host, "lexful-sandbox") as url:

            def new_account() -> dict[str, Any]:
                return accounts.credentials(accounts.create_account(sb.store), url)

            control = ThreadControl(sb, sb.store, new_account)
            yield Sandbox(accounts.credentials(account, url), control)
    finally:
        sb.store.close()


def _child_args(options: Options) -> list[str]:
    args = [sys.executable, "-m", "lexful_sandbox.cli", "serve", "--admin"]
    args += ["--host", options.host, "--port", str(options.port), "--seed", options.seed]
    args += ["--seed-scale", str(options.seed_scale), "--seed-random", str(options.seed_random)]
    args += fault_flags(options.faults)
    return args + (["--db", options.db] if options.db else [])


@contextmanager
def _child(options: Options) -> Iterator[Sandbox]:
    with serve_in_child(_child_args(options)) as config:
        yield Sandbox(config, AdminControl(config["api_url"], Faults))
