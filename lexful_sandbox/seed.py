"""Seed data: a believable demo account and bulk assets for benchmarks."""

from __future__ import annotations

import random

from lexful_sandbox.store import Account, Store


def demo(store: Store, account: Account, rng: random.Random) -> None:
    """Filled in below; a stub until the core endpoints are done."""


def scale(store: Store, account: Account, n: int, rng: random.Random) -> None:
    """Filled in below; a stub until the core endpoints are done."""
