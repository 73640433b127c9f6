"""Build a sandbox (store, account, seed) and serve it with uvicorn on a bound socket."""

from __future__ import annotations

import logging
import random
import socket
from dataclasses import dataclass, field

import uvicorn

from lexful_sandbox.http.app import build_app
from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.resources import accounts
from lexful_sandbox.storage.store import Account, Store


@dataclass
class Options:
    """How to start a sandbox: the ``lexful-sandbox serve`` options."""

    host: str = "127.0.0.1"
    port: int = 0
    db: str | None = None
    seed: str = "none"
    seed_scale: int = 0
    seed_random: int = 1
    admin: bool = False
    faults: Faults = field(default_factory=Faults)


def prepare(options: Options) -> tuple[SandboxState, Account]:
    """Open the store; on a fresh one create the first account and seed it."""
    store = Store(options.db)
    account = store.first_account()
    if account is None:
        rng = random.Random(options.seed_random)
        account = accounts.create_account(store, rng)
        _seed(store, account, options, rng)
    sb = SandboxState(store=store, faults=options.faults, admin=options.admin)
    return sb, account


def _seed(store: Store, account: Account, options: Options, rng: random.Random) -> None:
    # Imported here: only a seeded start needs them.
    from lexful_sandbox.seed.demo import seed_demo  # noqa: PLC0415
    from lexful_sandbox.seed.scale import seed_scale  # noqa: PLC0415

    if options.seed == "demo":
        seed_demo(store, account, rng)
    elif options.seed not in ("none", ""):
        msg = f"unknown seed {options.seed!r}: use demo or none"
        raise ValueError(msg)
    if options.seed_scale:
        seed_scale(store, account, options.seed_scale, rng)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)  # listen now: connections made before uvicorn starts wait in the backlog
    sock.set_inheritable(True)
    return sock


def api_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(sb: SandboxState) -> uvicorn.Server:
    config = uvicorn.Config(
        build_app(sb),
        log_level=logging.WARNING,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)
