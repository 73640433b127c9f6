"""Hostile input harms nothing: a bad line, a file record naming a local path or a URL."""

from __future__ import annotations

import json
from pathlib import Path

from lightfield_sandbox import Sandbox
from tests.lightfield.tap.helpers import Reader
from tests.lightfield.target.helpers import WriteCounter, run_target, target_config


def test_bad_lines_and_file_sources_are_rejected_and_the_run_goes_on(
    demo_sandbox: Sandbox, tmp_path: Path
):
    creds = demo_sandbox.new_account()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not upload")
    writes = WriteCounter()
    demo_sandbox.add_hook(writes)
    schema = {"type": "object", "properties": {}, "additionalProperties": True}
    lines = [
        "{not json",
        json.dumps({"type": "RECORD", "stream": "accounts", "record": None}),
        json.dumps(
            {"type": "SCHEMA", "stream": "files", "schema": schema, "key_properties": ["id"]}
        ),
        json.dumps(
            {
                "type": "RECORD",
                "stream": "files",
                "record": {"id": "fil_1", "local_path": str(secret), "filename": "s.txt"},
            }
        ),
        json.dumps(
            {
                "type": "RECORD",
                "stream": "files",
                "record": {
                    "id": "fil_2",
                    "download_url": "http://169.254.169.254/latest/meta-data?sig=SECRET",
                },
            }
        ),
        json.dumps(
            {"type": "SCHEMA", "stream": "accounts", "schema": schema, "key_properties": ["id"]}
        ),
        json.dumps(
            {
                "type": "RECORD",
                "stream": "accounts",
                "record": {"id": "acc_1", "fields": {"$name": "Kept"}, "relationships": {}},
            }
        ),
        json.dumps({"type": "STATE", "value": {"bookmarks": {"accounts": {"n": 1}}}}),
    ]
    target, states = run_target(target_config(creds, tmp_path), lines)
    writes.armed = False

    assert states == [{"bookmarks": {"accounts": {"n": 1}}}]
    names = [a["fields"]["$name"]["value"] for a in Reader(creds).all("/v1/accounts")]
    assert names == ["Kept"]
    assert all(not path.startswith("/v1/files") for _m, path in writes.seen), "a file was sent"
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 4
    text = (tmp_path / "rejects.jsonl").read_text()
    assert "SECRET" not in text
    assert "do not upload" not in text
    assert target.engine.stats.total("created") == 1
