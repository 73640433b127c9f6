"""The Lexful variant matrix's pieces: the smallest account that exercises a variant, what
the API holds (read from the sandbox's store, past every variant), and the checks."""

from __future__ import annotations

from typing import Any

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.lexful.client import client_for, create_asset, create_organizations, upload_file

#: The page-cap variants need a list longer than the cap (100): organizations.
LONG_LIST = 105


def seed(sb: Sandbox, organizations: int) -> None:
    """Organizations, two locations and two contacts, each contact with links and a file."""
    client = client_for(sb.config)
    try:
        client.get_json(contract.asset_types_path())  # first: learns the paths (entities-paths)
        orgs = create_organizations(client, organizations)
        locations = [
            create_asset(client, "system.location", orgs[i]["id"], name=f"site {i}")
            for i in range(2)
        ]
        for i in range(2):
            contact = create_asset(
                client,
                "system.contact",
                orgs[i]["id"],
                first_name=f"First{i}",
                last_name="Last",
                important=True,
            )
            links = [{"asset_id": loc["id"], "description": f"l{i}"} for loc in locations]
            client.send_json("PUT", contract.related_path("system.contact", contact["id"]), links)
            upload_file(
                client, "system.contact", contact["id"], f"n{i}.txt", f"note {i}\n".encode()
            )
    finally:
        client.close()


def change(sb: Sandbox) -> tuple[str, str]:
    """Between two runs: one organization more, one location deleted; their ids."""
    client = client_for(sb.config)
    try:
        client.get_json(contract.asset_types_path())
        new = create_organizations(client, 1, prefix="later")[0]
        gone = sb.store.find("assets", sb.account_id, "type = ? LIMIT 1", ("system.location",))
        client.request("DELETE", contract.assets_path("system.location", gone[0]["id"]))
        return new["id"], gone[0]["id"]
    finally:
        client.close()


def held(sb: Sandbox, account_id: str) -> dict[str, list[str]]:
    """The ids each stream should carry: the live records of the account, from the store."""
    store = sb.store
    live = "deleted_at IS NULL"
    out = {
        "organizations": [o["id"] for o in store.find("organizations", account_id, live)],
        "files": [f["id"] for f in store.find("files", account_id, live)],
    }
    for kind in ("system.location", "system.contact"):
        rows = store.find("assets", account_id, f"type = ? AND {live}", (kind,))
        out[contract.stream_name(kind)] = [a["id"] for a in rows]
    links = store.query(
        "SELECT COUNT(*) FROM related r"
        " JOIN assets o ON o.account_id = r.account_id AND o.id = r.asset_id"
        " JOIN assets t ON t.account_id = r.account_id AND t.id = r.related_id"
        " WHERE r.account_id = ? AND o.deleted_at IS NULL AND t.deleted_at IS NULL",
        (account_id,),
    )
    out["related_assets"] = ["link"] * int(links[0][0])
    return out


def emitted(records: dict[str, list[dict[str, Any]]], stream: str) -> list[str]:
    """The ids a stream emitted (links: one "link" each: they have no id)."""
    rows = records.get(stream, [])
    if stream == "related_assets":
        return ["link"] * len(rows)
    return [str(r["id"]) for r in rows]


def copied(sb: Sandbox, account_id: str) -> dict[str, int]:
    """How many of each the destination account holds, live."""
    return {stream: len(ids) for stream, ids in held(sb, account_id).items()}


def same_organizations(sb: Sandbox, source: str, destination: str) -> bool:
    """Each copied organization holds its source's fields, and its assets are its source's:
    names per organization equal (an id map mixed up by a reordered answer would differ)."""

    def by_org(account_id: str) -> dict[str, list[str]]:
        orgs = {
            o["id"]: o["name"]
            for o in sb.store.find("organizations", account_id, "deleted_at IS NULL")
        }
        out: dict[str, list[str]] = {name: [] for name in orgs.values()}
        for asset in sb.store.find("assets", account_id, "deleted_at IS NULL"):
            out[orgs[asset["organization_id"]]].append(str(asset.get("name")))
        return {name: sorted(names) for name, names in out.items()}

    return by_org(source) == by_org(destination)
