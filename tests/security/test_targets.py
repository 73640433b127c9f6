"""Both targets against a hostile API: the upload URL and headers it names are checked.

A proxy in front of the sandbox rewrites the answer to a file create: the presigned upload URL
points at an internal service, and (Lightfield) the upload headers name ``Host`` and
``X-Internal-Admin``. The old targets PUT the bytes there with those headers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import stat
import uuid
from pathlib import Path
from typing import Any

from lexful_api import LexfulClient
from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tests.lexful.client import create_asset, create_organization
from tests.lexful.target import helpers as lexful_target
from tests.lightfield.target import helpers as lightfield_target
from tests.security.hostile import Answer, Seen, hostile

DATA = b"hello"


def rewrite(answer_key: str, internal: str, **extra: Any) -> Any:
    """A route that forwards a file create and points its upload URL at ``internal``."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        path = seen.path.split("?")[0]
        if seen.method == "POST" and (path.endswith("/files") or path == "/v1/files"):
            up = forward()
            body = json.loads(up.body)
            body[answer_key] = internal + "/admin/upload"
            body.update(extra)
            return Answer(
                up.status, {"Content-Type": "application/json"}, json.dumps(body).encode()
            )
        return None

    return route


def lexful_file_record(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "asset_id": contact["id"],
        "asset_type": "system.contact",
        "name": "a.txt",
        "original_name": "a.txt",
        "file_extension": "txt",
        "mime_type": "text/plain",
        "size": len(DATA),
        "upload_status": "completed",
        "content_base64": base64.b64encode(DATA).decode(),
    }


def test_target_lexful_does_not_put_to_an_internal_host(
    empty_account: dict[str, Any], client: LexfulClient, tmp_path: Path
) -> None:
    org = create_organization(client, "Files")
    contact = create_asset(
        client, "system.contact", org["id"], first_name="F", last_name="L", important=False
    )
    messages: list[dict[Any, Any] | str] = [
        lexful_target.schema("files"),
        lexful_target.record("files", lexful_file_record(contact)),
    ]
    with hostile(lambda seen, _: Answer(200, {}, b"")) as internal:  # noqa: SIM117  (the inner one needs the outer's URL)
        with hostile(rewrite("presignedUploadUrl", internal.url), empty_account["api_url"]) as api:
            config = lexful_target.target_config({**empty_account, "api_url": api.url}, tmp_path)
            with contextlib.suppress(Exception):
                lexful_target.run_target(config, messages)
    assert internal.seen == []
    id_map = tmp_path / "id-map.sqlite"
    assert stat.S_IMODE(id_map.stat().st_mode) == 0o600


def lightfield_lines() -> list[str]:
    schema = {"type": "object", "properties": {}, "additionalProperties": True}
    record = {
        "id": "fil_1",
        "filename": "a.txt",
        "mimeType": "text/plain",
        "sizeBytes": len(DATA),
        "status": "COMPLETED",
        "content_base64": base64.b64encode(DATA).decode(),
    }
    return [
        json.dumps(
            {"type": "SCHEMA", "stream": "files", "schema": schema, "key_properties": ["id"]}
        ),
        json.dumps({"type": "RECORD", "stream": "files", "record": record}),
    ]


def test_target_lightfield_upload_url_and_headers_are_checked(tmp_path: Path) -> None:
    bad_headers = {
        "uploadHeaders": {
            "Content-Type": "text/plain",
            "Host": "internal.admin",
            "X-Internal-Admin": "yes",
        }
    }
    with lightfield_sandbox(seed="demo") as sandbox:
        creds = sandbox.config
        with hostile(lambda seen, _: Answer(200, {}, b"")) as internal:
            route = rewrite("uploadUrl", internal.url, **bad_headers)
            with hostile(route, creds["api_url"]) as api:
                config = lightfield_target.target_config({**creds, "api_url": api.url}, tmp_path)
                with contextlib.suppress(Exception):
                    lightfield_target.run_target(config, lightfield_lines())
                assert internal.seen == []  # not listed: refused
                listed = {**config, "allowed_file_hosts": [internal.url[7:]]}
                listed["id_map_path"] = str(tmp_path / "id-map-2.sqlite")
                with contextlib.suppress(Exception):
                    lightfield_target.run_target(listed, lightfield_lines())
    puts = [seen for seen in internal.seen if seen.method == "PUT"]
    assert puts, "the listed host got the upload"
    for put in puts:
        assert put.headers.get("Host") != "internal.admin"
        assert "X-Internal-Admin" not in put.headers
        assert put.body == DATA
