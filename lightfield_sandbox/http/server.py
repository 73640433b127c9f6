"""Build a sandbox (store, first workspace, seed); the core serves it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lightfield_sandbox.common.variants import EXCLUSIVE, FAULTS, REGISTRY
from lightfield_sandbox.http.faults import LightfieldFaults
from lightfield_sandbox.http.state import LightfieldState
from lightfield_sandbox.resources import workspaces
from lightfield_sandbox.storage.store import Key, Store


@dataclass
class Options:
    """How to start a sandbox: the ``lightfield-sandbox serve`` options."""

    host: str = "127.0.0.1"
    port: int = 0
    db: str | None = None
    seed: str = "demo"
    # None: a random key (a sandbox left running must not share its key with every other).
    seed_random: int | None = None
    admin: bool = False
    #: Variants played (``variants.REGISTRY``): how else the real API might behave.
    variants: tuple[str, ...] = ()
    faults: LightfieldFaults = field(default_factory=LightfieldFaults)


def prepare(options: Options) -> tuple[LightfieldState, Key]:
    """Open the store; on a fresh one create the first workspace and seed it."""
    if options.seed not in ("demo", "none"):
        msg = f"unknown seed {options.seed!r}: use demo or none"
        raise ValueError(msg)
    variants = REGISTRY.check(options.variants)  # an unknown name: one line, before the store
    for group in EXCLUSIVE:
        if len(group & variants) > 1:
            msg = f"variants {', '.join(sorted(group & variants))} exclude one another"
            raise ValueError(msg)
    for name in sorted(variants):  # a variant that is a fault setting: it wins
        options.faults.update(**FAULTS.get(name, {}))
    state = LightfieldState(
        store=Store(options.db), faults=options.faults, admin=options.admin, variants=variants
    )
    # The store keeps a hash of the key: on a restart the credentials line can show it only
    # when --seed-random makes it again (else it was shown on the first start).
    known = None
    if options.seed_random is not None:
        known = workspaces.first_token(random.Random(options.seed_random))
    key = state.store.first_key(known)
    if key is None:
        rng = random.Random(options.seed_random)  # None: seeded from the OS
        key = workspaces.create_workspace(state.store, rng)
        if options.seed == "demo":
            from lightfield_sandbox.seed.demo import seed_demo  # noqa: PLC0415 - only then

            seed_demo(state.store, key, rng)
    return state, key
