"""Running tap-lightfield in-process against the Lightfield sandbox, and what it wrote."""

from __future__ import annotations

import io
import json
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

import requests

from lightfield_api import contract
from tap_lightfield.tap import TapLightfield

# Small pages force many of them; a small backoff keeps fault tests fast; no lag allowance
# unless a test asks for one, so that a second run emits only what changed.
FAST = {
    "page_size": 3,
    "max_concurrency": 4,
    "backoff_base_seconds": 0.01,
    "max_tries": 10,
    "index_lag_seconds": 0,
}
ENTITY_STREAMS = ("accounts", "contacts", "opportunities", "tasks", "notes", "meetings")


def tap_config(sandbox_config: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {**sandbox_config, **FAST, **overrides}


@dataclass
class Output:
    """The Singer messages of one sync, with small accessors."""

    messages: list[dict[str, Any]]
    tap: TapLightfield = field(repr=False)

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.records(stream)]

    @property
    def state(self) -> dict[str, Any]:
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        return states[-1] if states else {}


def sync(config: dict[str, Any], *, state: dict[str, Any] | None = None) -> Output:
    """One full sync, in this process, over real HTTP to the sandbox."""
    tap = TapLightfield(config=config, state=state, parse_env_config=False)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        tap.sync_all()
    lines = buffer.getvalue().splitlines()
    return Output([json.loads(line) for line in lines if line.strip()], tap)


def doubled(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


class Reader:
    """The sandbox's own records, read with plain requests (no tap code), in full."""

    def __init__(self, creds: dict[str, str]) -> None:
        self.url = creds["api_url"]
        self.headers = {
            "Authorization": f"Bearer {creds['api_key']}",
            "Lightfield-Version": "2026-03-01",
        }

    def get(self, path: str, **params: Any) -> Any:
        answer = requests.get(self.url + path, headers=self.headers, params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        first = self.get(path, limit=1, **params)
        total = first["totalCount"]
        found: list[dict[str, Any]] = []
        for offset in range(0, total, contract.MAX_PAGE_SIZE):
            found += self.get(path, limit=contract.MAX_PAGE_SIZE, offset=offset, **params)["data"]
        assert len(found) == total
        return found


def flattened(raw: dict[str, Any]) -> dict[str, Any]:
    """A record as the tap should emit it: values unwrapped, relationships as their ids."""
    record = dict(raw)
    if "fields" in raw:
        record["fields"] = {k: v["value"] for k, v in raw["fields"].items()}
    if "relationships" in raw:
        record["relationships"] = {k: v["values"] for k, v in raw["relationships"].items()}
    return record
