"""Running the tap in-process against the sandbox, data to read, and what the tap wrote."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from lexful_api import contract
from tap_lexful.tap import TapLexful
from tests.lexful.client import client_for, create_asset, create_organizations, upload_file

# Small pages force many of them; small backoff keeps fault tests fast.
FAST = {"page_size": 7, "max_concurrency": 4, "backoff_base_seconds": 0.01, "max_tries": 8}


def tap_config(sandbox_config: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {**sandbox_config, **FAST, **overrides}


@dataclass
class Output:
    """The Singer messages of one sync, with small accessors."""

    messages: list[dict[str, Any]]
    text: str = field(repr=False)
    tap: TapLexful = field(repr=False)

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def streams(self) -> list[str]:
        """The streams in the order their first record appeared."""
        return list(dict.fromkeys(m["stream"] for m in self.messages if m["type"] == "RECORD"))

    @property
    def state(self) -> dict[str, Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}


def sync(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
) -> Output:
    """One full sync, in this process, over real HTTP to the sandbox."""
    tap = TapLexful(config=config, state=state, catalog=catalog, parse_env_config=False)
    buffer = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(buffer):
        tap.sync_all()
    buffer.seek(0)
    text = buffer.read()
    return Output([json.loads(line) for line in text.splitlines() if line.strip()], text, tap)


def discover(config: dict[str, Any]) -> dict[str, Any]:
    return TapLexful(config=config, parse_env_config=False).catalog_dict


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


def populate(config: dict[str, Any], *, organizations: int = 12, assets: int = 30) -> None:
    """Organizations, locations and contacts; each contact links to locations and has a file."""
    client = client_for(config)
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
