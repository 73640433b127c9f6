"""A Singer reader that turns bad input into rejects instead of a dead run.

The SDK stops at a malformed line, a RECORD before its SCHEMA, a record that fails its
schema, or a missing key property. Here each becomes a reject (stream, record, error) and the
run goes on; with ``on_record_error=fail`` the original exception is raised as before.
"""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecReader, dec_hook
from singer_sdk.exceptions import (
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.singerlib.exceptions import InvalidInputLine
from typing_extensions import override

_SKIP = "_TARGET_LEXFUL_SKIP"  # the type given to a line already handled as a reject
_BAD_INPUT = (
    InvalidInputLine,
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
_decoder = msgspec.json.Decoder(dec_hook=dec_hook, float_hook=decimal.Decimal)

BadInput = Callable[[str | None, Any, str], None]


class LexfulReader(MsgSpecReader):
    """The msgspec reader, with bad input sent to ``on_bad_input`` and a per-RECORD hook."""

    on_bad_input: BadInput | None = None
    fail_on_bad_input: bool = False
    after_record: Callable[[], None] | None = None
    forward_state: bool = True  # dry_run: a plan must not advance the pipeline's state

    @override
    def deserialize_json(self, line: str) -> dict:
        try:
            message = _decoder.decode(line)
        except msgspec.DecodeError as exc:
            return self._bad(None, line, f"malformed Singer line (not JSON: {exc})", exc)
        if not isinstance(message, dict) or "type" not in message:
            return self._bad(None, line, "malformed Singer line (no message type)", None)
        return message

    @override
    def process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict], None]]
    ) -> Counter[str]:
        guarded = {kind: self._guard(kind, callback) for kind, callback in callbacks.items()}
        guarded[_SKIP] = lambda _message: None
        return super().process_lines(file_input, guarded)

    def _guard(self, kind: str, callback: Callable[[dict], None]) -> Callable[[dict], None]:
        def run(message: dict) -> None:
            if kind == "STATE" and not self.forward_state:
                return
            try:
                callback(message)
            except _BAD_INPUT as exc:
                self._bad(message.get("stream"), message.get("record"), _reason(exc), exc)
                return
            if kind == "RECORD" and self.after_record is not None:
                self.after_record()

        return run

    def _bad(self, stream: str | None, record: Any, reason: str, exc: Exception | None) -> dict:
        if self.on_bad_input is None:
            raise exc or InvalidInputLine(reason)
        self.on_bad_input(stream, record, reason)
        if self.fail_on_bad_input:
            raise exc or InvalidInputLine(reason)
        return {"type": _SKIP}


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecordsWithoutSchemaException):
        return "RECORD before its SCHEMA"
    if isinstance(exc, MissingKeyPropertiesError):
        return "record is missing a key property: " + " ".join(str(exc).split())
    if isinstance(exc, InvalidRecord):
        return f"record does not match the stream's schema: {exc.error_message}"
    return " ".join(str(exc).split())[:500]
