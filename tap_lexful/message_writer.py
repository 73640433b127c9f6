"""The tap's Singer message writer: msgspec, without a system call for every RECORD, and
each RECORD line encoded straight into the output buffer."""

from __future__ import annotations

import atexit
import contextlib
import io
import sys
from collections import Counter
from typing import BinaryIO

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib.encoding.simple import Message, RecordMessage, SchemaMessage
from typing_extensions import override

BUFFER_SIZE = 1 << 20  # 1 MiB: a write (a GIL release) per some 1,300 records
Stdout = BinaryIO | io.BufferedIOBase


class BufferedMsgSpecWriter(MsgSpecWriter):
    """``MsgSpecWriter`` flushes stdout after each message: a system call per record, and a
    GIL release each time that lets a page-fetching thread cut in before the next record.

    RECORD lines here fill a buffer of our own instead (``BUFFER_SIZE``), written to stdout in
    one call when full, and every other message (SCHEMA, STATE, ...) flushes it: a STATE never
    reaches the target before the records it covers. stdout's own buffer (8 KiB) would make
    a system call every ten records, each a release of the GIL that a page-fetching thread
    takes for up to a switch interval. The buffer is ours under PYTHONUNBUFFERED=1 too (set
    by many Docker images and orchestrators), where ``sys.stdout.buffer`` is a raw file, one
    write per record, which on a pipe also wakes the reader for each one.

    A RECORD line is encoded into that buffer directly (``_append_record``): the SDK's
    encoder and field order (``RecordMessage.to_dict``), without the intermediate dict, the
    SDK's shared line buffer and a copy of each line out of it.

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
    _pending: bytearray | None = None  # RECORD lines not yet written to stdout
    _dest: Stdout | None = None  # the stdout they go to
    _prefixes: dict[str, bytes] | None = None  # each stream's RECORD line up to the record
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
        pending = self._pending
        if pending is None:
            pending = self._pending = bytearray()
            atexit.register(self._drain_quietly)  # what a failed run wrote before it failed
        if isinstance(message, RecordMessage):
            if not pending:  # where these lines go, even if sys.stdout is replaced meanwhile
                self._dest = self._stdout()
            self._append_record(pending, message)
            self.sent[message.stream] += 1
            if len(pending) >= BUFFER_SIZE:
                self._drain()
            return
        line = self.format_message(message)
        if isinstance(message, SchemaMessage) and self._seen(message.stream, line):
            return
        out = self._drain()
        out.write(line)
        out.flush()
        sys.stdout.flush()

    def _append_record(self, out: bytearray, message: RecordMessage) -> None:
        """``message``'s line, as ``format_message`` writes it, encoded at the end of ``out``."""
        if self._prefixes is None:
            self._prefixes = {}
        prefix = self._prefixes.get(message.stream)
        if prefix is None:
            stream = encoder.encode(message.stream)
            prefix = self._prefixes[message.stream] = b'{"type":"RECORD","stream":%b,"record":' % (
                stream
            )
        out += prefix
        encoder.encode_into(message.record, out, -1)
        if message.version is not None:
            out += b',"version":'
            encoder.encode_into(message.version, out, -1)
        if message.time_extracted is not None:
            out += b',"time_extracted":'
            encoder.encode_into(message.time_extracted, out, -1)
        out += b"}\n"

    def _drain(self) -> Stdout:
        """Write the pending lines to the stdout they were made for, in one call; stdout."""
        if self._pending and self._dest is not None:
            self._dest.write(self._pending)
            self._pending.clear()
        return self._stdout()

    def _drain_quietly(self) -> None:
        # A stdout already closed (a reader gone, a test's stream) has nothing left to take.
        with contextlib.suppress(ValueError, OSError):
            dest = self._dest
            self._drain()
            if dest is not None:
                dest.flush()

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
