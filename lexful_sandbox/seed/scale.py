"""Bulk assets for benchmarks: N assets over the account's types, in one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from lexful_sandbox.common.util import format_ms, seeded_id
from lexful_sandbox.resources import organizations
from lexful_sandbox.resources.asset_types import by_name
from lexful_sandbox.resources.assets import new_asset
from lexful_sandbox.resources.system_types import CONTACT_TYPES
from lexful_sandbox.storage.store import Account, Store

SCALE_START_MS = 1_748_736_000_000  # 2025-06-01T00:00:00Z, after the demo data
TYPES = ("system.contact", "system.location", "system.configuration", "network_device")
Filler = Callable[[random.Random, int], dict[str, Any]]


def _contact(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "first_name": f"First{n}",
        "last_name": f"Last{n % 997}",
        "title": "Engineer",
        "important": n % 7 == 0,
        "contact_type": CONTACT_TYPES[n % len(CONTACT_TYPES)],
        "contact_methods": [{"type": "Email", "value": f"user{n}@scale.example"}],
    }


def _location(rng: random.Random, n: int) -> dict[str, Any]:
    return {"name": f"Site {n}", "city": "Springfield", "postal_code": f"{10000 + n % 89999}"}


def _configuration(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "name": f"host-{n}",
        "hostname": f"host-{n}.scale.local",
        "serial_number": f"SN{rng.getrandbits(32):08X}",
        "ip_address": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        "install_date": f"20{18 + n % 7}-0{1 + n % 9}-15",
    }


def _device(rng: random.Random, n: int) -> dict[str, Any]:
    return {"name": f"switch-{n}", "port_count": 24 + n % 25, "managed": n % 2 == 0}


FILLERS: dict[str, Filler] = {
    "system.contact": _contact,
    "system.location": _location,
    "system.configuration": _configuration,
    "network_device": _device,
}


def _organizations(store: Store, account: Account, n: int) -> list[dict[str, Any]]:
    orgs = store.find("organizations", account.id, "deleted_at IS NULL")
    if orgs:
        return orgs
    bodies = [
        {"name": f"Scale Org {i:03d}", "type": "client", "status": "active"}
        for i in range(max(5, min(100, n // 2000)))
    ]
    return organizations.create(store, account.id, account.user_id, bodies)


def seed_scale(store: Store, account: Account, n: int, rng: random.Random) -> None:
    """Round-robin over the types; timestamps a few ms apart so created_at sorts them."""
    live = {t["name"] for t in store.find("asset_types", account.id, "deleted_at IS NULL")}
    types = [by_name(store, account.id, name) for name in TYPES if name in live]
    orgs = _organizations(store, account, n)
    ms = SCALE_START_MS
    batches: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in types}
    for i in range(n):
        asset_type = types[i % len(types)]
        ms += rng.randint(1, 20)
        org = orgs[i % len(orgs)]
        doc = new_asset(asset_type, org, account.user_id, seeded_id(rng, ms), format_ms(ms))
        doc.update(FILLERS[asset_type["name"]](rng, i))
        doc["name"] = doc.get("name") or f"{doc['first_name']} {doc['last_name']}"
        batches[asset_type["name"]].append(doc)
    with store.tx():
        for docs in batches.values():
            store.insert_many("assets", account.id, docs)
