"""Build a sandbox (store, account, seed); ``sandbox_core`` serves it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lexful_sandbox.common.variants import REGISTRY
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
    # None: a random key (a sandbox left running must not share its key with every other).
    seed_random: int | None = None
    admin: bool = False
    #: Variants played (``variants.REGISTRY``): how else the real API might behave.
    variants: tuple[str, ...] = ()
    faults: Faults = field(default_factory=Faults)


def prepare(options: Options) -> tuple[SandboxState, Account]:
    """Open the store; on a fresh one create the first account and seed it."""
    variants = REGISTRY.check(options.variants)  # an unknown name: one line, before the store
    store = Store(options.db)
    # The store keeps a hash of the key: on a restart the credentials line can show the
    # secret only when --seed-random makes it again (else it was shown on the first start).
    known = None
    if options.seed_random is not None:
        known = accounts.make_account(random.Random(options.seed_random)).key_secret
    account = store.first_account(known)
    if account is None:
        rng = random.Random(options.seed_random)  # None: seeded from the OS
        account = accounts.create_account(store, rng)
        _seed(store, account, options, rng)
    sb = SandboxState(store=store, faults=options.faults, admin=options.admin, variants=variants)
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
