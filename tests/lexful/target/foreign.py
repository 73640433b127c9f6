"""A PSA's export as it comes: one integer sequence per table, its own stream names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from lexful_api import LexfulClient, contract
from tests.lexful.client import list_all
from tests.lexful.target.helpers import lines, record, schema, target_config

BIN = Path(sys.executable).parent / "target-lexful"

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


def stops_before_any_record(
    account: dict[str, Any], client: LexfulClient, tmp: Path, **settings: Any
) -> str:
    """target-lexful run as a command on one company and one person with ``settings``: it
    must stop non-zero, without a traceback, having written nothing. Its stderr."""
    config = tmp / "config.json"
    config.write_text(json.dumps(target_config(account, tmp, **settings)))
    data = lines(psa([company(1, "Acme")], [], [person(1, 1, "Ada")]))
    done = subprocess.run(
        [BIN, "--config", config],
        input=data.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode()
    assert done.returncode != 0
    assert "Traceback" not in stderr
    assert list_all(client, contract.organizations_path()) == []  # stopped before any record
    return stderr
