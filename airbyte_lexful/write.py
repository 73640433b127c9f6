"""One ``destination-lexful write``: Airbyte messages in, target-lexful between, states out.

- the configured catalog -> one Singer SCHEMA per stream, before anything else
  (``primary_key`` -> ``key_properties``);
- RECORD -> Singer RECORD;
- STATE -> held back, and a marker STATE (``{"airbyte_state_marker": n}``) sent in its place.
  target-lexful prints a STATE only once every record before it is written or rejected; when
  it prints marker n (the bare value, as SDK targets do, or a whole STATE message), the held
  states up to n are passed on, in order. A state is thus never confirmed before its records;
- the target's log -> LOG messages.

Three threads keep the pipes moving: one feeds the target's stdin, one reads its stdout (the
markers), one its stderr (the log); this generator, on the CDK's thread, prints what they find.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteStateStats, AirbyteStateType, Type

from airbyte_lexful import messages
from airbyte_lexful.mapping import singer_schema
from airbyte_lexful.singer import TARGET, SingerFailedError, SingerProcess, start_target

MARKER = "airbyte_state_marker"


def confirmed_marker(line: bytes) -> int | None:
    """The marker a line of the target's stdout confirms, if it is one."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(value, dict) and value.get("type") == "STATE":
        value = value.get("value")
    marker = value.get(MARKER) if isinstance(value, dict) else None
    return marker if isinstance(marker, int) else None


class WriteSession:
    """The pipes of one write and the states waiting for the target's confirmation."""

    def __init__(self, configured: Mapping[str, Any]) -> None:
        self._schemas = [singer_schema(item) for item in configured["streams"]]
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._held: deque[tuple[int, AirbyteMessage]] = deque()
        self._lock = threading.Lock()  # the feeder holds states, this thread releases them
        self._marker = 0
        self._unstated: Counter[str] = Counter()  # records of each stream since its last state
        self._feed_error: BaseException | None = None

    def messages(
        self, config: Mapping[str, Any], input_messages: Iterable[AirbyteMessage]
    ) -> Iterator[AirbyteMessage]:
        target = start_target(config, on_log=lambda *line: self._events.put(("log", line)))
        feeder = threading.Thread(target=self._feed, args=(target, input_messages), daemon=True)
        reader = threading.Thread(target=self._read, args=(target,), daemon=True)
        feeder.start()
        reader.start()
        try:
            yield from self._until_output_ends()
            code = target.wait()
            yield from self._pending()
        finally:
            target.close()
        if code != 0:
            # The feeder may still wait on our stdin: it is a daemon, not waited for.
            raise messages.traced(SingerFailedError(TARGET, code, target.log))
        feeder.join()
        if self._feed_error is not None:
            raise self._feed_error
        yield from self._unconfirmed()

    # -- the target's side ------------------------------------------------------------------

    def _until_output_ends(self) -> Iterator[AirbyteMessage]:
        while True:
            kind, value = self._events.get()
            if kind == "eof":
                return
            yield from self._event(kind, value)

    def _pending(self) -> Iterator[AirbyteMessage]:
        """What the log thread handed on after the target's stdout closed."""
        while not self._events.empty():
            yield from self._event(*self._events.get())

    def _event(self, kind: str, value: Any) -> Iterator[AirbyteMessage]:
        if kind == "log":
            yield messages.log(*value)
        elif kind == "confirmed":
            yield from self._release(value)

    def _read(self, target: SingerProcess) -> None:
        for line in target.stdout:
            marker = confirmed_marker(line)
            if marker is None:
                text = line.decode("utf-8", "replace").rstrip()
                self._events.put(("log", ("WARN", f"{TARGET} printed: {text}")))
            else:
                self._events.put(("confirmed", marker))
        self._events.put(("eof", None))

    def _release(self, marker: int) -> Iterator[AirbyteMessage]:
        with self._lock:
            released = []
            while self._held and self._held[0][0] <= marker:
                released.append(self._held.popleft()[1])
        yield from released

    def _unconfirmed(self) -> Iterator[AirbyteMessage]:
        if self._held:
            # dry_run prints no STATE: nothing was written, so nothing is confirmed.
            note = f"{len(self._held)} state(s) not confirmed by {TARGET}: not passed on"
            yield messages.log("WARN", note)

    # -- the feeder ---------------------------------------------------------------------------

    def _feed(self, target: SingerProcess, input_messages: Iterable[AirbyteMessage]) -> None:
        stdin = target.stdin
        try:
            for schema in self._schemas:
                stdin.write(orjson.dumps(schema, option=orjson.OPT_APPEND_NEWLINE))
            for message in input_messages:
                line = self._singer_line(message)
                if line is not None:
                    stdin.write(line)
                if message.type == Type.STATE:
                    stdin.flush()  # a marker waiting in our buffer would hold its state back
        except BrokenPipeError:
            pass  # the target stopped reading: its exit code and log say why
        except BaseException as exc:  # an unreadable input: the target still ends cleanly
            self._feed_error = exc
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()

    def _singer_line(self, message: AirbyteMessage) -> bytes | None:
        if message.type == Type.RECORD and message.record is not None:
            stream = message.record.stream
            self._unstated[stream] += 1
            singer = {"type": "RECORD", "stream": stream, "record": message.record.data}
            return orjson.dumps(singer, option=orjson.OPT_APPEND_NEWLINE)
        if message.type == Type.STATE and message.state is not None:
            marker = {"type": "STATE", "value": {MARKER: self._hold(message)}}
            return orjson.dumps(marker, option=orjson.OPT_APPEND_NEWLINE)
        return None  # LOG and TRACE of the source are not the destination's to write

    def _hold(self, message: AirbyteMessage) -> int:
        state = message.state
        assert state is not None
        if state.type == AirbyteStateType.STREAM and state.stream is not None:
            count = self._unstated.pop(state.stream.stream_descriptor.name, 0)
        else:
            count = sum(self._unstated.values())
            self._unstated.clear()
        state.destinationStats = AirbyteStateStats(recordCount=float(count))
        with self._lock:
            self._marker += 1
            self._held.append((self._marker, message))
            return self._marker
