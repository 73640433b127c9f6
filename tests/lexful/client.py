"""Plain helpers every test folder shares: a client for an account, data made through the API.

Fixtures live in ``tests/conftest.py``; these are the functions behind them and beside them,
imported by name (``from tests.lexful.client import client_for``).
"""

from __future__ import annotations

from typing import Any

from lexful_api import LexfulClient, contract
from lexful_api.settings import client_from_config


def client_for(config: dict[str, Any]) -> LexfulClient:
    """A client for an account's credentials (``api_url``, ``account_id``, the key)."""
    return client_from_config(config, user_agent="lexful-tests", concurrency=8)


def list_all(client: LexfulClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every record of a list endpoint, in (created_at, id) order."""
    return list(client.iter_list(path, params, page_size=1000))


def organization_body(name: str, **extra: Any) -> dict[str, Any]:
    """The body of an active client organization."""
    return {"name": name, "type": "client", "status": "active", **extra}


def create_organization(client: LexfulClient, name: str) -> dict[str, Any]:
    """One active client organization named ``name``."""
    return client.send_json("POST", contract.organizations_path(), organization_body(name))


def create_organizations(
    client: LexfulClient, count: int, prefix: str = "org"
) -> list[dict[str, Any]]:
    """``count`` organizations named "{prefix} {i}", created in bulk requests."""
    body = [organization_body(f"{prefix} {i}") for i in range(count)]
    created: list[dict[str, Any]] = []
    for start in range(0, count, contract.BULK_LIMIT):
        answer = client.send_json(
            "POST", contract.organizations_path(), body[start : start + contract.BULK_LIMIT]
        )
        created.extend(contract.list_items(answer))
    return created


def create_asset(
    client: LexfulClient, kind: str, organization_id: str, **values: Any
) -> dict[str, Any]:
    return client.send_json(
        "POST", contract.assets_path(kind), {"organization_id": organization_id, **values}
    )


def upload_file(
    client: LexfulClient,
    kind: str,
    asset_id: str,
    original_name: str,
    data: bytes,
    *,
    name: str | None = None,
    extension: str | None = None,
) -> dict[str, Any]:
    """The documented three steps: create, PUT the bytes to the presigned URL, complete.

    The name and extension come from ``original_name`` unless given as they are.
    """
    stem, _, suffix = original_name.rpartition(".")
    answer = client.send_json(
        "POST",
        contract.files_path(kind, asset_id),
        {
            "name": stem if name is None else name,
            "original_name": original_name,
            "file_extension": suffix if extension is None else extension,
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


def download_url(client: LexfulClient, kind: str, asset_id: str, file_id: str) -> str:
    """A presigned URL to a file's bytes."""
    answer = client.get_json(contract.file_download_path(kind, asset_id, file_id))
    return contract.download_url(answer)


def download(client: LexfulClient, kind: str, asset_id: str, file_id: str) -> bytes:
    """A file's bytes, through its presigned URL."""
    url = download_url(client, kind, asset_id, file_id)
    return client.request("GET", url, authenticated=False).content


#: The settings every SDK plugin has for stream maps and flattening (tap and target alike).
SDK_MAP_SETTINGS = frozenset(
    {
        "stream_maps",
        "stream_map_config",
        "faker_config",
        "flattening_enabled",
        "flattening_max_depth",
        "flattening_max_key_length",
        "flattening_separator",
    }
)
#: The SDK's built-in settings of a target beside those (batch_size_rows is ours).
SDK_TARGET_SETTINGS = SDK_MAP_SETTINGS | {
    "add_record_metadata",
    "load_method",
    "process_activate_version_messages",
    "validate_records",
}
