"""One ``source-lexful read``: the tap's Singer messages, translated line by line.

- RECORD of a configured stream -> RECORD (the first one of a stream after its RUNNING status);
- SCHEMA -> nothing but the stream's STARTED status (the catalog already holds the schema);
- STATE -> one Airbyte STREAM state per stream whose bookmark changed; and at the end, one
  for each stream with records after its last state, so that every record is followed by a
  state (a destination commits at states) and the states' record counts add up;
- the tap's log (stderr) -> LOG messages, taken between two lines of its output;
- ACTIVATE_VERSION and BATCH -> nothing: they have no Airbyte counterpart.

At the end, every stream is COMPLETE when the tap succeeded, or INCOMPLETE with an ERROR trace
(raised to the CDK) when it failed. Airbyte's newer destinations fail a sync whose streams end
without a terminal status.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteStreamStatus

from airbyte_lexful import messages
from airbyte_lexful.mapping import Bookmarks, ReadPlan
from airbyte_lexful.singer import TAP, SingerFailedError, SingerProcess


def _singer_message(line: bytes) -> Mapping[str, Any]:
    try:
        message = orjson.loads(line) if line else {}
    except orjson.JSONDecodeError:
        return {}
    return message if isinstance(message, dict) else {}


class ReadSession:
    """The translation of one tap run, with what it has told Airbyte so far."""

    def __init__(self, plan: ReadPlan, incoming_state: Mapping[str, Any]) -> None:
        self._plan = plan
        self._wanted = frozenset(plan.streams)
        self._bookmarks = Bookmarks(plan.streams, incoming_state)
        self._started: set[str] = set()
        self._running: set[str] = set()
        self._unstated: set[str] = set()  # streams with records since their last state
        self._last_state: Mapping[str, Any] = {}

    def messages(self, tap: SingerProcess) -> Iterator[AirbyteMessage]:
        """Every Airbyte message of the run, then its end."""
        assert tap.output is not None  # the tap is started with its output read ahead
        running = self._running
        for line in tap.output.lines():
            if tap.lines:
                yield from self._logs(tap)
            message = _singer_message(line)
            # The hot path, inline: a record of a stream already running.
            if message.get("type") == "RECORD" and message["stream"] in running:
                self._unstated.add(message["stream"])
                yield messages.record(message["stream"], message["record"])
            else:
                yield from self._translate(message, line)
        code = tap.wait()
        yield from self._logs(tap)
        if code != 0:
            yield from self._end(AirbyteStreamStatus.INCOMPLETE)
            raise messages.traced(SingerFailedError(TAP, code, tap.log))
        yield from self._flush()
        yield from self._end(AirbyteStreamStatus.COMPLETE)

    @staticmethod
    def _logs(tap: SingerProcess) -> Iterator[AirbyteMessage]:
        while tap.lines:
            yield messages.log(*tap.lines.popleft())

    def _translate(self, message: Mapping[str, Any], line: bytes) -> Iterator[AirbyteMessage]:
        kind = message.get("type")
        if kind is None and line.strip():
            text = line.decode("utf-8", "replace").rstrip()
            yield messages.log("WARN", f"{TAP} printed a line that is no Singer message: {text}")
        if kind == "RECORD":
            yield from self._record(message["stream"], message["record"])
        elif kind == "STATE":
            yield from self._state(message.get("value") or {})
        elif kind == "SCHEMA":
            yield from self._start(message["stream"])

    def _record(self, stream: str, data: dict[str, Any]) -> Iterator[AirbyteMessage]:
        if stream not in self._running:
            if stream not in self._wanted:
                return  # a parent read for its children only: not asked for, not sent
            yield from self._start(stream)
            self._running.add(stream)
            yield messages.status(stream, AirbyteStreamStatus.RUNNING)
        self._unstated.add(stream)
        yield messages.record(stream, data)

    def _start(self, stream: str) -> Iterator[AirbyteMessage]:
        if stream in self._wanted and stream not in self._started:
            self._started.add(stream)
            yield messages.status(stream, AirbyteStreamStatus.STARTED)

    def _state(self, value: Mapping[str, Any]) -> Iterator[AirbyteMessage]:
        self._last_state = value
        started = {k: v for k, v in (value.get("bookmarks") or {}).items() if k in self._started}
        for stream, bookmark in self._bookmarks.changed({"bookmarks": started}):
            self._unstated.discard(stream)
            yield messages.stream_state(stream, bookmark)

    def _flush(self) -> Iterator[AirbyteMessage]:
        """Start the streams that sent nothing, hand on the last bookmarks, and close with a
        state every stream whose last records no state followed."""
        for stream in self._plan.streams:
            yield from self._start(stream)
        yield from self._state(self._last_state)
        for stream in self._plan.streams:
            if stream in self._unstated:
                self._unstated.discard(stream)
                yield messages.stream_state(stream, self._bookmarks.current(stream))

    def _end(self, status: AirbyteStreamStatus) -> Iterator[AirbyteMessage]:
        for stream in self._plan.streams:
            if status == AirbyteStreamStatus.COMPLETE and stream not in self._running:
                yield messages.status(stream, AirbyteStreamStatus.RUNNING)
            yield messages.status(stream, status)
