"""Helpers for the target tests: Singer lines in, the target run in-process, the API read back."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

from lexful_api import LexfulClient, contract
from target_lexful.target import TargetLexful
from tests.lexful.client import download, download_url, list_all, organization_body


def schema(stream: str, key: list[str] | None = None, props: dict | None = None) -> dict:
    """A permissive SCHEMA message: the target checks records against the API, not this."""
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": props or {}, "additionalProperties": True},
        "key_properties": ["id"] if key is None else key,
    }


def record(stream: str, rec: dict) -> dict:
    return {"type": "RECORD", "stream": stream, "record": rec}


def state(value: Any) -> dict:
    return {"type": "STATE", "value": {"bookmarks": {"mark": value}}}


def lines(messages: list[dict | str]) -> str:
    return "".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in messages)


class Run:
    def __init__(
        self, target: TargetLexful, states: list[dict], exit_message: str | None = None
    ) -> None:
        self.target = target
        self.states = states
        self.stats = target.engine.stats.streams
        self.exit_message = exit_message  # the one line of a run that ended non-zero

    def count(self, stream: str, what: str) -> int:
        return int(self.stats.get(stream, {}).get(what, 0))


def run_target(
    config: dict,
    messages: list[dict | str],
    *,
    sent: list | None = None,
    fails: bool = False,
) -> Run:
    """Run the target in this process; keep the STATE values it printed and its counts.

    With ``sent``, the (method, path, JSON body) of every API call is appended to it.
    ``fails``: the run must end non-zero (SystemExit), its line kept in ``exit_message``.
    """
    out = io.StringIO()
    target = TargetLexful(config=config)
    if sent is not None:
        target.engine.client.session.hooks["response"].append(
            lambda r, *_a, **_k: sent.append(_sent(r.request))
        )
    exit_message = None
    with contextlib.redirect_stdout(out):
        try:
            target.listen(io.StringIO(lines(messages)))
        except SystemExit as exc:
            if not fails:
                raise
            exit_message = str(exc)
    assert not fails or exit_message, "the run was to end non-zero"
    states = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return Run(target, states, exit_message)


def _sent(request: Any) -> tuple[str, str, Any]:
    body = request.body
    try:
        parsed = json.loads(body) if isinstance(body, (bytes, str)) and body else None
    except ValueError:
        parsed = None
    return request.method, request.path_url.split("?")[0], parsed


def target_config(creds: dict, tmp: Path, **extra: Any) -> dict:
    return {
        **creds,
        "id_map_path": str(tmp / "id-map.sqlite"),
        "rejects_path": str(tmp / "rejects.jsonl"),
        **extra,
    }


def read_rejects(tmp: Path) -> list[dict]:
    path = tmp / "rejects.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def org_record(name: str) -> dict:
    """A source organization with a fresh id, as a tap sends it."""
    return {"id": str(uuid.uuid4()), **organization_body(name)}


def person_record(org: dict, first: str) -> dict:
    """A source contact of ``org`` with a fresh id; its last name is the organization's."""
    base = {"id": str(uuid.uuid4()), "organization_id": org["id"], "important": False}
    return {**base, "first_name": first, "last_name": org["name"]}


def export_account(client: LexfulClient, *, files_as: str = "base64", tmp: Path | None = None):
    """What tap-lexful emits for an account, built from the API: the target's main input."""
    out: list[dict] = []
    org_types = list_all(client, contract.organization_types_path())
    out.append(schema("organization_types"))
    out += [record("organization_types", t) for t in org_types]
    out.append(schema("organizations"))
    out += [record("organizations", o) for o in list_all(client, contract.organizations_path())]
    types = list_all(client, contract.asset_types_path())
    out.append(schema("asset_types"))
    out += [record("asset_types", t) for t in types]
    out.append(schema("related_assets", ["asset_id", "related_asset_id"]))
    out.append(schema("files"))
    for asset_type in types:
        name = asset_type["name"]
        stream = contract.stream_name(name)
        out.append(schema(stream))
        for asset in list_all(client, contract.assets_path(name)):
            out.append(record(stream, asset))
            for link in list_all(client, contract.related_path(name, asset["id"])):
                copied = {
                    **link,
                    "related_asset_id": link["asset_id"],
                    "related_asset_type": link.get("asset_type"),
                    "asset_id": asset["id"],
                    "asset_type": name,
                }
                out.append(record("related_assets", copied))
            for f in list_all(client, contract.files_path(name, asset["id"])):
                if f.get("upload_status") != "completed":
                    continue
                out.append(
                    record("files", file_record(client, name, asset["id"], f, files_as, tmp))
                )
    out.append(schema("users"))
    out += [record("users", u) for u in list_all(client, contract.users_path())]
    out.append(state("end"))
    return out


def file_record(client, asset_type, asset_id, f, files_as, tmp):
    rec = {**f, "asset_type": asset_type}
    if files_as == "url":
        rec["download_url"] = download_url(client, asset_type, asset_id, f["id"])
        return rec
    data = download(client, asset_type, asset_id, f["id"])
    if files_as == "path":
        assert tmp is not None
        path = tmp / f"{f['id']}.bin"
        path.write_bytes(data)
        rec["local_path"] = str(path)
    else:
        rec["content_base64"] = base64.b64encode(data).decode()
    return rec
