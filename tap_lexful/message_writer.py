"""The tap's Singer message writer: msgspec, without a system call for every RECORD."""

from __future__ import annotations

import atexit
import contextlib
import io
import sys
from typing import BinaryIO

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.encoding.simple import Message, RecordMessage
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
    """

    _raw: BinaryIO | None = None
    _out: Stdout | None = None

    def _stdout(self) -> Stdout:
        raw = sys.stdout.buffer
        if raw is not self._raw or self._out is None:
            self._raw = raw
            self._out = raw if isinstance(raw, io.BufferedIOBase) else _buffered(raw)
        return self._out

    @override
    def write_message(self, message: Message) -> None:
        out = self._stdout()
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
            sys.stdout.flush()


def _buffered(raw: BinaryIO) -> io.BufferedIOBase:
    """A buffer over an unbuffered stdout, flushed at exit as Python flushes its own."""
    out = io.BufferedWriter(raw, buffer_size=BUFFER_SIZE)
    atexit.register(_flush, out)
    return out


def _flush(out: io.BufferedIOBase) -> None:
    # A stdout already closed (a reader gone, a test's stream) has nothing left to take.
    with contextlib.suppress(ValueError, OSError):
        out.flush()
