"""The tap's stdout under PYTHONUNBUFFERED=1, as Docker images and orchestrators run it.

Python then gives ``sys.stdout`` a raw file under a write-through text layer: this is that
shape, over a raw stream that records each write the tap makes (each one a system call, and
on a pipe a wake-up of the reader).
"""

from __future__ import annotations

import io
import sys

import orjson
import pytest
from singer_sdk.singerlib.messages import RecordMessage, SchemaMessage, StateMessage

from tap_lexful.message_writer import BUFFER_SIZE, BufferedMsgSpecWriter


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
