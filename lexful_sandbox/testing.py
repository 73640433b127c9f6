"""``running_sandbox``: the sandbox for tests and benchmarks, in a thread or a child process.

The harness is ``sandbox_core.harness``; this module builds Lexful's
server for it and names the credentials of the first account.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from lexful_sandbox.http.app import build_app
from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.server import Options, prepare
from lexful_sandbox.resources import accounts
from lexful_sandbox.storage.store import Store
from sandbox_core.harness import (
    AdminControl,
    Control,
    SandboxBase,
    child_args,
    run_in_thread,
    serve_in_child,
)


class Sandbox(SandboxBase[Store]):
    """Credentials of the first account plus control of the running server."""

    store_type = Store

    def __init__(self, config: dict[str, str], control: Control) -> None:
        super().__init__(config, control)
        self.account_id = config["account_id"]
        self.api_key_id = config["api_key_id"]
        self.api_key_secret = config["api_key_secret"]


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
    variants: Sequence[str] = (),
) -> Iterator[Sandbox]:
    faults = Faults(latency_ms, jitter_ms, error_rate, rate_limit, drop_rate, token_ttl)
    options = Options(
        host,
        0,
        db,
        seed,
        seed_scale,
        seed_random,
        admin=subprocess,
        variants=tuple(variants),
        faults=faults,
    )
    runner = _child if subprocess else _thread
    with runner(options) as sandbox:
        yield sandbox


@contextmanager
def _thread(options: Options) -> Iterator[Sandbox]:
    sb, account = prepare(options)
    with run_in_thread(
        sb,
        sb.store,
        build_app(sb),
        options.host,
        "lexful-sandbox",
        lambda url: accounts.credentials(account, url),
        lambda url: accounts.credentials(accounts.create_account(sb.store), url),
    ) as (config, control):
        yield Sandbox(config, control)


@contextmanager
def _child(options: Options) -> Iterator[Sandbox]:
    with serve_in_child(child_args("lexful_sandbox.cli", options)) as config:
        yield Sandbox(config, AdminControl(config["api_url"], Faults))
