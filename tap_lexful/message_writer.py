"""The tap's Singer message writer: msgspec, without a flush after every RECORD."""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.encoding.simple import Message, RecordMessage
from typing_extensions import override


class BufferedMsgSpecWriter(MsgSpecWriter):
    """``MsgSpecWriter`` flushes stdout after each message: a system call per record, and a
    GIL release each time that lets a page-fetching thread cut in before the next record.

    RECORD lines here fill the stream's buffer instead, and every other message (SCHEMA,
    STATE, ...) flushes it: a STATE never reaches the target before the records it covers.
    Measured with 8 threads fetching pages at 0 ms latency: 15% less CPU, 9% less time.
    """

    @override
    def write_message(self, message: Message) -> None:
        sys.stdout.buffer.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            sys.stdout.flush()
