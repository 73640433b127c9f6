"""One ``source-lexful read``: the tap's Singer messages, translated line by line.

- RECORD of a configured stream -> RECORD (the first one of a stream after its RUNNING status);
- SCHEMA -> nothing but the stream's STARTED status (the catalog already holds the schema);
- STATE -> one Airbyte STREAM state per stream whose bookmark changed; and at the end, one
  for each stream with records after its last state, so that every record is followed by a
  state (a destination commits at states) and the states' record counts add up;
- the tap's log (stderr) -> LOG messages, taken between two lines of its output;
- ACTIVATE_VERSION and BATCH -> nothing: they have no Airbyte counterpart.

At the end, every stream is COMPLETE when the tap succeeded, or INCOMPLETE when it failed, and
then ``SingerFailedError`` is raised for the caller to end the command with an ERROR trace.
Airbyte's newer destinations fail a sync whose streams end without a terminal status.

The messages are lines of the protocol's JSON (``protocol``): the console script prints them as
they are, without importing airbyte-cdk (see ``cli``). A record's data is passed on as the bytes
the tap printed, never decoded: the adapter's share of the CPU is the tap's to use.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import orjson

from airbyte_lexful import protocol
from airbyte_lexful.mapping import SECRET_SETTINGS, Bookmarks, ReadPlan
from airbyte_lexful.protocol import SecretFilter
from airbyte_lexful.singer import (
    TAP,
    SingerFailedError,
    SingerProcess,
    TapInputs,
    output_lines,
)

STARTED, RUNNING, COMPLETE, INCOMPLETE = "STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"


class SingerLine(msgspec.Struct):
    """What a Singer line is read for: its type and stream, and a record as its raw JSON."""

    type: str
    stream: str = ""
    record: msgspec.Raw = msgspec.Raw()


_decode_line = msgspec.json.Decoder(SingerLine).decode


def _singer_line(line: bytes) -> SingerLine | None:
    try:
        return _decode_line(line)
    except msgspec.DecodeError:  # not JSON, or not a Singer message
        return None


class ReadSession:
    """The translation of one tap run, with what it has told Airbyte so far."""

    def __init__(
        self, plan: ReadPlan, incoming_state: Mapping[str, Any], hide: SecretFilter
    ) -> None:
        self._plan = plan
        self._hide = hide
        self._wanted = frozenset(plan.streams)
        self._bookmarks = Bookmarks(plan.streams, incoming_state)
        self._started: set[str] = set()
        self._running: set[str] = set()
        self._unstated: Counter[str] = Counter()  # records of each stream since its last state
        self._last_state: Mapping[str, Any] = {}

    @classmethod
    def of(cls, inputs: TapInputs, configured: Mapping[str, Any]) -> ReadSession:
        """The session of a tap started from ``inputs``, for the configured catalog."""
        hide = SecretFilter(str(inputs.config.get(name) or "") for name in SECRET_SETTINGS)
        return cls(ReadPlan.of(configured), inputs.state, hide)

    def messages(self, tap: SingerProcess) -> Iterator[bytes]:
        """Every Airbyte message of the run, a line each, then its end."""
        running, unstated = self._running, self._unstated
        for line in output_lines(tap.stdout):
            if tap.lines:
                yield from self._logs(tap)
            message = _singer_line(line)
            # The hot path, inline: a record of a stream already running.
            if message is not None and message.type == "RECORD" and message.stream in running:
                unstated[message.stream] += 1
                now = time.time_ns() // 1_000_000
                yield protocol.record_line(message.stream, message.record, now)
            else:
                yield from self._translate(message, line)
        code = tap.wait()
        yield from self._logs(tap)
        if code != 0:
            yield from self._end(INCOMPLETE)
            raise SingerFailedError(TAP, code, tap.log)
        yield from self._flush()
        yield from self._end(COMPLETE)

    def _logs(self, tap: SingerProcess) -> Iterator[bytes]:
        while tap.lines:
            level, line = tap.lines.popleft()
            yield protocol.line(protocol.log(level, self._hide(line)))

    def _translate(self, message: SingerLine | None, line: bytes) -> Iterator[bytes]:
        if message is None:
            if line.strip():
                text = self._hide(line.decode("utf-8", "replace").rstrip())
                note = f"{TAP} printed a line that is no Singer message: {text}"
                yield protocol.line(protocol.log("WARN", note))
        elif message.type == "RECORD":
            yield from self._record(message.stream, message.record)
        elif message.type == "STATE":
            yield from self._state(orjson.loads(line).get("value") or {})
        elif message.type == "SCHEMA":
            yield from self._start(message.stream)

    def _record(self, stream: str, data: bytes) -> Iterator[bytes]:
        if stream not in self._running:
            if stream not in self._wanted:
                return  # a parent read for its children only: not asked for, not sent
            yield from self._start(stream)
            self._running.add(stream)
            yield protocol.line(protocol.status(stream, RUNNING))
        self._unstated[stream] += 1
        yield protocol.record_line(stream, data, time.time_ns() // 1_000_000)

    def _start(self, stream: str) -> Iterator[bytes]:
        if stream in self._wanted and stream not in self._started:
            self._started.add(stream)
            yield protocol.line(protocol.status(stream, STARTED))

    def _stream_state(self, stream: str, bookmark: Mapping[str, Any]) -> bytes:
        records = self._unstated.pop(stream, 0)
        return protocol.line(protocol.stream_state(stream, bookmark, records))

    def _state(self, value: Mapping[str, Any]) -> Iterator[bytes]:
        self._last_state = value
        started = {k: v for k, v in (value.get("bookmarks") or {}).items() if k in self._started}
        for stream, bookmark in self._bookmarks.changed({"bookmarks": started}):
            yield self._stream_state(stream, bookmark)

    def _flush(self) -> Iterator[bytes]:
        """Start the streams that sent nothing, hand on the last bookmarks, and close with a
        state every stream whose last records no state followed."""
        for stream in self._plan.streams:
            yield from self._start(stream)
        yield from self._state(self._last_state)
        for stream in self._plan.streams:
            if stream in self._unstated:
                yield self._stream_state(stream, self._bookmarks.current(stream))

    def _end(self, status: str) -> Iterator[bytes]:
        for stream in self._plan.streams:
            if status == COMPLETE and stream not in self._running:
                yield protocol.line(protocol.status(stream, RUNNING))
            yield protocol.line(protocol.status(stream, status))
