"""A PSA's export as it comes: one integer sequence per table, its own stream names."""

from __future__ import annotations

from typing import Any

from tests.target.helpers import record, schema

CONTACT, LOCATION = "system.contact", "system.location"
PSA = {"companies": "organizations", "sites": LOCATION, "people": CONTACT}


def company(cid: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "type": "client", "status": "active", **extra}


def site(sid: int, company_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": sid, "organization_id": company_id, "name": name, **extra}


def person(pid: int, company_id: int, first: str, **extra: Any) -> dict[str, Any]:
    base = {"id": pid, "organization_id": company_id, "first_name": first, "last_name": "Doe"}
    return {**base, "important": False, **extra}


def psa(
    companies: list[dict], sites: list[dict], people: list[dict], key: list[str] | None = None
) -> list[dict]:
    return [
        schema("companies", key),
        *[record("companies", c) for c in companies],
        schema("sites", key),
        *[record("sites", s) for s in sites],
        schema("people", key),
        *[record("people", p) for p in people],
    ]
