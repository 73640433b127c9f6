"""Fixtures: sandboxes over real HTTP, and API clients to shape their data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_api.settings import client_from_config
from lexful_sandbox import running_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """A demo-seeded sandbox shared by the tests that only read it."""
    with running_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Any]:
    """An empty sandbox of its own, for tests that set faults on the server."""
    with running_sandbox(seed="none") as sb:
        yield sb


@pytest.fixture
def account(sandbox: Any) -> dict[str, Any]:
    """An empty, isolated account on the shared sandbox."""
    return sandbox.new_account()


def api(config: dict[str, Any]) -> LexfulClient:
    return client_from_config(config, user_agent="lexful-tests", concurrency=8)


def create_organizations(client: LexfulClient, count: int, prefix: str = "org") -> list[dict]:
    body = [{"name": f"{prefix} {i}", "type": "client", "status": "active"} for i in range(count)]
    created: list[dict] = []
    for start in range(0, count, contract.BULK_LIMIT):
        answer = client.send_json(
            "POST", contract.organizations_path(), body[start : start + contract.BULK_LIMIT]
        )
        created.extend(contract.list_items(answer))
    return created


def create_asset(client: LexfulClient, kind: str, organization_id: str, **values: Any) -> dict:
    return client.send_json(
        "POST", contract.assets_path(kind), {"organization_id": organization_id, **values}
    )


def upload_file(client: LexfulClient, kind: str, asset_id: str, name: str, data: bytes) -> dict:
    """The documented three steps: create, PUT the bytes to the presigned URL, complete."""
    stem, extension = name.rsplit(".", 1)
    answer = client.send_json(
        "POST",
        contract.files_path(kind, asset_id),
        {
            "name": stem,
            "original_name": name,
            "file_extension": extension,
            "mime_type": "application/octet-stream",
            "size": len(data),
        },
    )
    record, url = contract.created_file(answer)
    client.request(
        "PUT",
        url,
        data=data,
        headers={"Content-Type": "application/octet-stream"},
        authenticated=False,
    )
    return client.send_json("POST", contract.file_complete_path(kind, asset_id, record["id"]), None)


def populate(config: dict[str, Any], *, organizations: int = 12, assets: int = 30) -> None:
    """Organizations, locations and contacts; each contact links to locations and has a file."""
    client = api(config)
    orgs = create_organizations(client, organizations)
    locations = [
        create_asset(client, "system.location", orgs[i % len(orgs)]["id"], name=f"site {i}")
        for i in range(assets)
    ]
    for i in range(assets // 3):
        contact = create_asset(
            client,
            "system.contact",
            orgs[i % len(orgs)]["id"],
            first_name=f"First{i}",
            last_name="Last",
            important=i % 2 == 0,
        )
        links = [
            {"asset_id": locations[(i + k) % assets]["id"], "description": f"l{k}"} for k in (0, 1)
        ]
        client.send_json("PUT", contract.related_path("system.contact", contact["id"]), links)
        upload_file(client, "system.contact", contact["id"], f"note{i}.txt", f"note {i}\n".encode())
    client.close()
