"""The tap's Singer message writer: msgspec, without a flush after every RECORD."""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.encoding.simple import Message, RecordMessage
from typing_extensions import override


class BufferedMsgSpecWriter(MsgSpecWriter):
    """``MsgSpecWriter`` flushes stdout after each message: a system call per record.

    Here RECORD lines fill the stream's buffer and the other messages (SCHEMA, STATE, ...)
    flush it, so a STATE never reaches the target before the records it covers, and a
    target still sees records as soon as the buffer fills (8 KiB).
    """

    @override
    def write_message(self, message: Message) -> None:
        sys.stdout.buffer.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            sys.stdout.flush()
