"""The tap's stdout under PYTHONUNBUFFERED=1, as Docker images and orchestrators run it.

Python then gives ``sys.stdout`` a raw file under a write-through text layer: this is that
shape, over a raw stream that records each write the tap makes (each one a system call, and
on a pipe a wake-up of the reader).
"""

from __future__ import annotations

import decimal
import io
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.messages import RecordMessage, SchemaMessage, StateMessage

from lexful_sandbox import Sandbox
from tap_lexful.message_writer import BUFFER_SIZE, BufferedMsgSpecWriter
from tests.lexful.tap.helpers import sync, tap_config


class RecordedWrites(io.RawIOBase):
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.writes.append(bytes(data))
        return len(data)


def test_records_are_written_in_buffers_and_a_state_flushes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = RecordedWrites()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, write_through=True))
    assert not isinstance(sys.stdout.buffer, io.BufferedIOBase)  # the unbuffered shape
    writer = BufferedMsgSpecWriter()
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    writer.write_message(SchemaMessage(stream="s", schema=schema, key_properties=["id"]))
    records = 5000
    for number in range(records):
        writer.write_message(RecordMessage(stream="s", record={"id": number}))
    writer.write_message(StateMessage(value={"bookmarks": {"s": {"last": records - 1}}}))

    lines = [orjson.loads(line) for line in b"".join(raw.writes).splitlines()]
    assert [m["type"] for m in lines] == ["SCHEMA"] + ["RECORD"] * records + ["STATE"]
    assert [m["record"]["id"] for m in lines[1:-1]] == list(range(records))
    # One write for the schema, then one per full buffer, and the state's flush.
    printed = sum(len(w) for w in raw.writes[1:])
    assert len(raw.writes) - 1 <= printed // BUFFER_SIZE + 2
    assert raw.writes[-1].endswith(b"\n")
    assert b'"STATE"' in raw.writes[-1]


def test_a_schema_the_stream_already_had_is_not_printed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    writer = BufferedMsgSpecWriter()
    first = {"type": "object", "properties": {"id": {"type": "integer"}}}
    wider = {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "string"}}}
    for stream, schema in (("a", first), ("a", first), ("b", first), ("a", wider), ("a", first)):
        writer.write_message(SchemaMessage(stream=stream, schema=schema, key_properties=["id"]))
    printed = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [(m["stream"], len(m["schema"]["properties"])) for m in printed] == [
        ("a", 1),
        ("b", 1),
        ("a", 2),
        ("a", 1),
    ]


def test_the_demo_account_sends_one_schema_per_stream(demo_sandbox: Sandbox) -> None:
    """related_assets and files sync once per parent asset: their schema goes out once."""
    output = sync(tap_config(demo_sandbox.config))
    schemas = Counter(m["stream"] for m in output.messages if m["type"] == "SCHEMA")
    assert output.records("related_assets")
    assert output.records("files")
    assert set(schemas.values()) == {1}, schemas


def test_record_lines_are_the_sdk_encoders_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """RECORD lines are encoded straight into the buffer: byte for byte what the SDK's
    ``MsgSpecWriter`` makes of the same messages (escapes, decimals, times, version)."""
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    messages = [
        RecordMessage(
            stream='odd "name" é',
            record={"n": decimal.Decimal("1.50"), "t": datetime(2024, 1, 2, tzinfo=timezone.utc)},
            version=7,
            time_extracted=datetime.now(timezone.utc),
        ),
        RecordMessage(stream="plain", record={"nested": [None, {"é": True}]}),
    ]
    writer = BufferedMsgSpecWriter()
    for message in messages:
        writer.write_message(message)
    writer.write_message(StateMessage(value={}))
    expected = b"".join(bytes(MsgSpecWriter().format_message(m)) for m in messages)
    assert out.getvalue() == expected + bytes(MsgSpecWriter().format_message(StateMessage({})))


def test_records_pending_when_a_run_stops_still_reach_stdout(tmp_path: Path) -> None:
    """A run that fails between two STATE messages still prints the records it wrote."""
    script = (
        "from singer_sdk.singerlib.messages import RecordMessage\n"
        "from tap_lexful.message_writer import BufferedMsgSpecWriter\n"
        "writer = BufferedMsgSpecWriter()\n"
        "for n in range(10):\n"
        "    writer.write_message(RecordMessage(stream='s', record={'id': n}))\n"
        "raise SystemExit(1)\n"
    )
    for unbuffered in ("", "1"):
        env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, env=env, check=False, cwd=tmp_path
        )
        assert done.returncode == 1
        assert [orjson.loads(line)["record"]["id"] for line in done.stdout.splitlines()] == list(
            range(10)
        )
