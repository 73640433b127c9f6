"""The tap's Singer message writer: msgspec, without a system call for every RECORD."""

from __future__ import annotations

import atexit
import contextlib
import io
import sys
from collections import Counter
from typing import BinaryIO

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.encoding.simple import Message, RecordMessage, SchemaMessage
from typing_extensions import override

BUFFER_SIZE = 1 << 16
Stdout = BinaryIO | io.BufferedIOBase


class BufferedMsgSpecWriter(MsgSpecWriter):
    """``MsgSpecWriter`` flushes stdout after each message: a system call per record, and a
    GIL release each time that lets a page-fetching thread cut in before the next record.

    RECORD lines here fill a buffer instead, and every other message (SCHEMA, STATE, ...)
    flushes it: a STATE never reaches the target before the records it covers. The buffer is
    our own when stdout has none: PYTHONUNBUFFERED=1 (set by many Docker images and
    orchestrators) leaves ``sys.stdout.buffer`` a raw file, one write per record, which on a
    pipe also wakes the reader for each one (30,000 records into a pipe: 1.38 s, now 1.07 s).

    A SCHEMA the stream already had is not printed again: the SDK sends a child stream's
    schema at each of its syncs, one per parent asset, and a loader such as target-duckdb
    re-creates its table set-up and flushes at every one (587 of them in the demo account:
    about 23 s of a 40 s load).

    It also counts the RECORD messages it writes per stream name (``sent``): what a stream
    sent after its stream maps, for the stream's summary line (``LoggedStream.records_sent``).
    The SDK writes messages from one thread: a plain counter suffices.
    """

    _raw: BinaryIO | None = None
    _out: Stdout | None = None
    _schemas: dict[str, bytes] | None = None
    _sent: Counter[str] | None = None

    @property
    def sent(self) -> Counter[str]:
        """RECORD messages written per stream name, as sent (after stream maps)."""
        if self._sent is None:
            self._sent = Counter()
        return self._sent

    def _stdout(self) -> Stdout:
        raw = sys.stdout.buffer
        if raw is not self._raw or self._out is None:
            self._raw = raw
            self._out = raw if isinstance(raw, io.BufferedIOBase) else _buffered(raw)
        return self._out

    @override
    def write_message(self, message: Message) -> None:
        out = self._stdout()
        line = self.format_message(message)
        if isinstance(message, SchemaMessage) and self._seen(message.stream, line):
            return
        out.write(line)
        if isinstance(message, RecordMessage):
            self.sent[message.stream] += 1
        else:
            out.flush()
            sys.stdout.flush()

    def _seen(self, stream: str, line: bytearray) -> bool:
        """Whether ``line`` is the schema last printed for ``stream`` (and remember it: a copy,
        since the SDK's encoder reuses one buffer for every line)."""
        if self._schemas is None:
            self._schemas = {}
        printed = bytes(line)
        if self._schemas.get(stream) == printed:
            return True
        self._schemas[stream] = printed
        return False


def _buffered(raw: BinaryIO) -> io.BufferedIOBase:
    """A buffer over an unbuffered stdout, flushed at exit as Python flushes its own."""
    out = io.BufferedWriter(raw, buffer_size=BUFFER_SIZE)
    atexit.register(_flush, out)
    return out


def _flush(out: io.BufferedIOBase) -> None:
    # A stdout already closed (a reader gone, a test's stream) has nothing left to take.
    with contextlib.suppress(ValueError, OSError):
        out.flush()
