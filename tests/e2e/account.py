"""Read a whole Lexful account over plain HTTP and describe it without ids or timestamps.

The round-trip tests compare two accounts with this: every UUID is replaced by a label made of
the content it points at (an organization's slug, an asset's type, organization and
properties), so two accounts holding the same data compare equal whatever ids they were given.
It reads the API directly, not through the tap, so a tap bug cannot hide a target bug.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lexful_api import LexfulClient, contract
from tests.lexful.client import client_for, download, list_all

VOLATILE = {
    "id",
    "account_id",
    "organization_id",
    "organization_name",
    "owned_by",
    "labels",
    "references",
    "asset_type",
    "parent_id",
    "asset_id",
    "version",
    *contract.AUDIT_FIELDS,
}


@dataclass
class Snapshot:
    """An account as multisets of canonical records, one per kind."""

    organizations: Counter[str] = field(default_factory=Counter)
    organization_types: set[str] = field(default_factory=set)
    asset_types: dict[str, str] = field(default_factory=dict)
    assets: Counter[str] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    pending_files: int = 0
    unresolved: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "organizations": sum(self.organizations.values()),
            "assets": sum(self.assets.values()),
            "links": sum(self.links.values()),
            "files": sum(self.files.values()),
        }


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _content(record: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in VOLATILE and k not in drop}


def snapshot(config: dict[str, str]) -> Snapshot:
    client = client_for(config)
    snap = Snapshot()
    labels: dict[str, str] = {}

    def resolve(uuid: str | None) -> str | None:
        if uuid is None:
            return None
        if uuid not in labels:
            snap.unresolved.append(uuid)
        return labels.get(uuid, "UNRESOLVED")

    orgs = list_all(client, contract.organizations_path())
    labels.update({org["id"]: f"org:{org['slug']}" for org in orgs})
    for org in orgs:
        canonical = _content(org, set()) | {"parent": resolve(org.get("parent_id"))}
        snap.organizations[_dump(canonical)] += 1
    snap.organization_types = {t["name"] for t in list_all(client, "/v1/organization_types")}

    types = list_all(client, contract.asset_types_path())
    assets: list[tuple[dict[str, Any], set[str]]] = []
    for asset_type in types:
        props = asset_type.get("properties") or []
        snap.asset_types[asset_type["name"]] = _dump(
            sorted((p["name"], p["type"], bool(p.get("required"))) for p in props)
        )
        # Masked and file-valued properties are not comparable: a copy leaves secrets out
        # and files carry their own ids; files are compared below, by content.
        drop = {p["name"] for p in props if p["type"] in {"secret", "totp", "file"}}
        for asset in list_all(client, contract.assets_path(asset_type["name"])):
            assets.append((asset, drop))
    for asset, drop in assets:
        content = _content(asset, drop)
        digest = hashlib.sha256(_dump(content).encode()).hexdigest()[:16]
        labels[asset["id"]] = (
            f"{asset['asset_type']}:{labels.get(asset['organization_id'])}:{digest}"
        )
    for asset, drop in assets:
        refs = {
            name: sorted(resolve(v) or "" for v in value)
            if isinstance(value, list)
            else resolve(value)
            for name, value in (asset.get("references") or {}).items()
        }
        canonical = _content(asset, drop) | {
            "asset_type": asset["asset_type"],
            "organization": resolve(asset["organization_id"]),
            "references": refs,
        }
        snap.assets[_dump(canonical)] += 1
        _read_links_and_files(client, asset, labels[asset["id"]], resolve, snap)
    return snap


def _read_links_and_files(
    client: LexfulClient, asset: dict[str, Any], label: str, resolve: Any, snap: Snapshot
) -> None:
    kind, asset_id = asset["asset_type"], asset["id"]
    for link in list_all(client, contract.related_path(kind, asset_id)):
        snap.links[_dump([label, resolve(link["asset_id"]), link.get("description")])] += 1
    for record in list_all(client, contract.files_path(kind, asset_id)):
        if record.get("upload_status") != "completed":
            # An upload never completed has no bytes: there is nothing to copy.
            snap.pending_files += 1
            continue
        digest = hashlib.sha256(download(client, kind, asset_id, record["id"])).hexdigest()
        fields = ("name", "original_name", "file_extension", "mime_type", "size", "property_name")
        canonical = [label, {k: record.get(k) for k in fields}, digest]
        snap.files[_dump(canonical)] += 1


def differences(a: Counter[str], b: Counter[str], most: int = 3) -> str:
    """A short human account of what differs between two multisets."""
    only_a = list((a - b).elements())[:most]
    only_b = list((b - a).elements())[:most]
    missing, extra = sum((a - b).values()), sum((b - a).values())
    return f"only in A ({missing}): {only_a}\nonly in B ({extra}): {only_b}"
