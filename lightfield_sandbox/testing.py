"""``running_sandbox``: the Lightfield sandbox for tests, in a thread or a child process.

The harness is ``sandbox_core.harness``; this module builds the
Lightfield server for it. Unlike ``lightfield-sandbox serve`` there is no rate limit unless
asked for, so that tests which write quickly do not meet a 429 by chance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from lightfield_sandbox.http.app import build_app
from lightfield_sandbox.http.faults import LightfieldFaults
from lightfield_sandbox.http.server import Options, prepare
from lightfield_sandbox.resources import workspaces
from lightfield_sandbox.storage.store import Store
from sandbox_core.harness import (
    AdminControl,
    Control,
    SandboxBase,
    child_args,
    run_in_thread,
    serve_in_child,
)


class Sandbox(SandboxBase[Store]):
    """The first workspace's key plus control of the running server (``new_account``: a
    new workspace's ``{api_url, api_key}``)."""

    store_type = Store

    def __init__(self, config: dict[str, str], control: Control) -> None:
        super().__init__(config, control)
        self.api_key = config["api_key"]

    def new_key(self, scopes: tuple[str, ...]) -> str:
        """Another key on the first workspace, limited to ``scopes`` (in-process only)."""
        key = self.store.key(self.api_key)
        assert key is not None
        return workspaces.add_key(self.store, key.workspace_id, key.member_id, scopes).key


@contextmanager
def running_sandbox(
    seed: str = "demo",
    *,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    error_rate: float = 0.0,
    rate_limit: float = 0.0,
    drop_rate: float = 0.0,
    index_lag_ms: float = 0.0,
    seed_random: int = 1,
    db: str | None = None,
    host: str = "127.0.0.1",
    subprocess: bool = False,
    variants: Sequence[str] = (),
) -> Iterator[Sandbox]:
    faults = LightfieldFaults(
        latency_ms, jitter_ms, error_rate, rate_limit, drop_rate, index_lag_ms
    )
    options = Options(
        host, 0, db, seed, seed_random, admin=subprocess, variants=tuple(variants), faults=faults
    )
    runner = _child if subprocess else _thread
    with runner(options) as sandbox:
        yield sandbox


@contextmanager
def _thread(options: Options) -> Iterator[Sandbox]:
    state, key = prepare(options)
    with run_in_thread(
        state,
        state.store,
        build_app(state),
        options.host,
        "lightfield-sandbox",
        lambda url: workspaces.credentials(key, url),
        lambda url: workspaces.credentials(workspaces.create_workspace(state.store), url),
    ) as (config, control):
        yield Sandbox(config, control)


@contextmanager
def _child(options: Options) -> Iterator[Sandbox]:
    with serve_in_child(child_args("lightfield_sandbox.cli", options)) as config:
        yield Sandbox(config, AdminControl(config["api_url"], LightfieldFaults))
