"""Helpers of the target-lightfield tests: the tap's messages in, the target run, both
workspaces read back and compared with ids replaced."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import requests

from lightfield_api import contract
from lightfield_sandbox import Sandbox
from lightfield_sandbox.resources import workspaces
from lightfield_sandbox.resources.actor import Actor
from target_lightfield.target import TargetLightfield
from tests.lightfield.tap.helpers import Reader, flattened, sync, tap_config

# Streams compared field by field, and what differs by nature between two workspaces.
COMPARED = ("accounts", "contacts", "opportunities", "tasks", "notes", "meetings", "project")
PATHS = {s: f"/v1/{s}" for s in COMPARED} | {"project": "/v1/objects/project"}
VOLATILE = ("id", "createdAt", "updatedAt", "httpLink")
# Filled by the API (read-only [D]) or set on the other side: not part of what is copied.
READ_ONLY = {"$howTheyMakeMoney", "$accountStatus", "$opportunityStatus"}


def target_config(creds: dict[str, str], tmp: Path, **extra: Any) -> dict[str, Any]:
    return {
        **creds,
        "id_map_path": str(tmp / "id-map.sqlite"),
        "rejects_path": str(tmp / "rejects.jsonl"),
        "max_concurrency": 4,
        "backoff_base_seconds": 0.01,
        **extra,
    }


def with_demo_members(sandbox: Sandbox, creds: dict[str, str]) -> None:
    """The demo's other members in the empty workspace too: members are invited, not copied."""
    key = sandbox.store.key(creds["api_key"])
    assert key is not None
    actor = Actor(sandbox.store, key.workspace_id, key.member_id)
    for name, email in (("Sam Seller", "sam@example.com"), ("Riley Rep", "riley@example.com")):
        workspaces.member(actor, name, email, "MEMBER")


def tap_lines(
    creds: dict[str, str], state: dict[str, Any] | None = None, **settings: Any
) -> list[str]:
    """tap-lightfield's output (in this process) as Singer lines."""
    output = sync(tap_config(creds, **settings), state=state)
    return [json.dumps(m) for m in output.messages]


def run_target(config: dict[str, Any], lines: list[str]) -> tuple[TargetLightfield, list[Any]]:
    """target-lightfield in this process; the STATE values it printed."""
    out = io.StringIO()
    target = TargetLightfield(config=config)
    with contextlib.redirect_stdout(out):
        target.listen(io.StringIO("".join(line + "\n" for line in lines)))
    return target, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def workspace(creds: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    reader = Reader(creds)
    return {s: [flattened(r) for r in reader.all(PATHS[s])] for s in COMPARED}


def id_pairs(
    source: dict[str, list[dict[str, Any]]],
    copy: dict[str, list[dict[str, Any]]],
    members: dict[str, str],
) -> dict[str, str]:
    """Source id -> copy id, found independently of the target: by each record's values."""
    pairs = dict(members)
    for stream in COMPARED:
        by_print = {_print(r): r["id"] for r in copy[stream]}
        for record in source[stream]:
            found = by_print.get(_print(record))
            if found is not None:
                pairs[record["id"]] = found
    return pairs


def member_pairs(source: dict[str, str], copy: dict[str, str]) -> dict[str, str]:
    return {source[email]: copy[email] for email in source if email in copy}


def members(creds: dict[str, str]) -> dict[str, str]:
    found = Reader(creds).all("/v1/members")
    return {m["fields"]["$email"]["value"]: m["id"] for m in found}


def assert_copy_equals_source(
    source_creds: dict[str, str], copy_creds: dict[str, str], *, with_files: bool = False
) -> None:
    """Every compared stream of the copy equals the source's, field by field, with the
    source's ids replaced by the copy's (found by values; members by $email). ``with_files``:
    the files were copied too (bytes and all), and so the meeting whose transcript is one."""
    source, copy = workspace(source_creds), workspace(copy_creds)
    ids = id_pairs(source, copy, member_pairs(members(source_creds), members(copy_creds)))
    if with_files:
        source_files, copy_files = files(source_creds), files(copy_creds)
        assert sorted(copy_files) == sorted(source_files), "files"
        ids |= {source_files[k]: copy_files[k] for k in source_files}
    for stream in COMPARED:
        want = sorted(json.dumps(comparable(r, ids), sort_keys=True) for r in source[stream])
        got = sorted(json.dumps(comparable(r), sort_keys=True) for r in copy[stream])
        if stream == "meetings" and not with_files:  # its transcript is a file, not copied:
            want = [w for w in want if "Recorded demo" not in w]  # written without it
            got = [g for g in got if "Recorded demo" not in g]
        assert got == want, stream


def lists(creds: dict[str, str]) -> list[dict[str, Any]]:
    """Each list of a workspace: its fields and the ids of its members, read from the API."""
    reader = Reader(creds)
    collection_of = {kind: path for path, kind in contract.COLLECTIONS.items()}
    found = []
    for item in reader.all("/v1/lists"):
        fields = {k: v["value"] for k, v in item["fields"].items()}
        path = contract.list_members_path(item["id"], collection_of[fields["$objectType"]])
        found.append({"fields": fields, "members": [m["id"] for m in reader.all(path)]})
    return found


def assert_lists_equal(source_creds: dict[str, str], copy_creds: dict[str, str]) -> None:
    """The copy holds the source's lists, each once, with the same names, types and members
    (the source's member ids replaced by the copy's, found by values as above)."""
    source, copy = workspace(source_creds), workspace(copy_creds)
    ids = id_pairs(source, copy, member_pairs(members(source_creds), members(copy_creds)))
    source_lists, copy_lists = lists(source_creds), lists(copy_creds)
    assert source_lists, "the source has no list: nothing compared"
    assert any(x["members"] for x in source_lists), "the source's lists have no member"

    def text(fields: dict[str, Any], member_ids: list[str]) -> str:
        return json.dumps({"fields": fields, "members": sorted(member_ids)}, sort_keys=True)

    want = sorted(
        text(x["fields"], [ids.get(m, f"unmapped:{m}") for m in x["members"]]) for x in source_lists
    )
    got = sorted(text(x["fields"], x["members"]) for x in copy_lists)
    assert got == want, "lists"


def count_per_collection(creds: dict[str, str]) -> dict[str, int]:
    """How many records each collection of a workspace holds (lists, files and memberships
    too): a record created twice shows here."""
    reader = Reader(creds)
    counts = {s: len(reader.all(PATHS[s])) for s in COMPARED}
    counts["files"] = len(reader.all("/v1/files"))
    counts["emails"] = len(reader.all("/v1/emails"))
    found = lists(creds)
    counts["lists"] = len(found)
    counts["list_members"] = sum(len(x["members"]) for x in found)
    return counts


def files(creds: dict[str, str]) -> dict[tuple[Any, ...], str]:
    """(filename, mimeType, sizeBytes, status, bytes) -> id of each file of a workspace."""
    reader = Reader(creds)
    found = {}
    for item in reader.all("/v1/files"):
        url = reader.get(f"/v1/files/{item['id']}/url")["url"]
        data = requests.get(url, timeout=30).content
        key = (item["filename"], item["mimeType"], item["sizeBytes"], item["status"], data)
        found[key] = item["id"]
    return found


def comparable(record: dict[str, Any], ids: dict[str, str] | None = None) -> dict[str, Any]:
    """A record without what differs by nature; a source record's relationship ids replaced
    through ``ids`` (source id -> copy id), a copy's (``ids`` None) kept."""
    fields = {k: v for k, v in record.get("fields", {}).items() if k not in READ_ONLY}
    relationships = {
        k: sorted(i if ids is None else ids.get(i, f"unmapped:{i}") for i in v)
        for k, v in record.get("relationships", {}).items()
    }
    rest = {k: v for k, v in record.items() if k not in (*VOLATILE, "fields", "relationships")}
    return {**rest, "fields": fields, "relationships": relationships}


def _print(record: dict[str, Any]) -> str:
    """A record's own values (not its ids): how a copy is found without the id map."""
    fields = {k: v for k, v in record.get("fields", {}).items() if k not in READ_ONLY}
    return json.dumps(fields, sort_keys=True, default=str)


class WriteCounter:
    """A sandbox hook that notes every write (hooks cannot be removed: disarm it after)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.armed = True

    def __call__(self, method: str, path: str, query: dict[str, str]) -> None:
        if self.armed and method not in ("GET", "HEAD") and not path.startswith("/_admin"):
            self.seen.append((method, path))
