"""A Singer reader that turns bad input into rejects instead of a dead run.

The SDK stops at a malformed line, an unknown message type, a RECORD before its SCHEMA, a
record that fails its schema or holds a date it cannot parse, and more. Here every line that
is not a valid Singer message, and every record the SDK cannot validate or convert, becomes a
reject (the stream where known, the record or the raw line, a one-line reason) and the run
goes on with the next line; with ``on_record_error=fail`` the run stops there.

Checked before a message is dispatched: the JSON (read as bytes, so that an invalid UTF-8
byte costs its line only), the message's shape (type, stream, record, schema, key_properties,
value) and what it holds (``hostile``: nesting, numbers). BATCH messages are rejected: the
target does not advertise the capability, and the SDK would read the manifest's local
``file://`` paths and skip validation.
"""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

import jsonschema
import msgspec
from singer_sdk.contrib.msgspec import MsgSpecReader, dec_hook
from singer_sdk.exceptions import (
    InvalidJSONSchema,
    InvalidRecord,
    MissingKeyPropertiesError,
    RecordsWithoutSchemaException,
)
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.target_base import Target
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR
from typing_extensions import override

from connector_core.target import hostile
from connector_core.target.values import json_safe, redacted

_SKIP = "_TARGET_READER_SKIP"  # the type given to a line already handled as a reject
_KINDS = frozenset({"RECORD", "SCHEMA", "STATE", "ACTIVATE_VERSION", "BATCH"})
_WITH_STREAM = frozenset({"RECORD", "SCHEMA", "ACTIVATE_VERSION"})
_REASON_LIMIT = 500  # characters: a reason is one readable line, not a copy of the record
# The SDK drains a full sink inside the RECORD callback. An exception that comes out of a
# drain is the engine's (a fatal API error, on_record_error=fail), not this line's fault.
_DRAINS = frozenset({Target.drain_one.__code__, Target.drain_all.__code__})
_decoder = msgspec.json.Decoder(dec_hook=dec_hook, float_hook=decimal.Decimal)

BadInput = Callable[[str | None, Any, str], None]
Message = dict[str, Any]  # a decoded Singer message
Line = str | bytes


@dataclass(frozen=True)
class ReaderHooks:
    """The target's side of the reader: where bad input, STATE and each RECORD go."""

    on_bad_input: BadInput  # a rejected line or record: its stream, the record or line, why
    on_state: Callable[[Any], None]  # a STATE's value, instead of the SDK
    after_record: Callable[[], None]  # after each RECORD the SDK took
    before_input: Callable[[], None]  # runs before the first line is read
    fail_on_bad_input: bool = False  # raise after on_bad_input (on_record_error=fail)
    secrets: tuple[str, ...] = ()  # never shown in a reject


class GuardedReader(MsgSpecReader):
    """The msgspec reader, with bad input rejected through the hooks it is connected to.

    Not connected (``connect``), it behaves as the SDK's: bad input raises.
    """

    def __init__(self) -> None:
        super().__init__()
        self.records_read = 0  # RECORD lines read so far: a record's position in the input
        self._hooks: ReaderHooks | None = None
        self._line: Line = ""

    def connect(self, hooks: ReaderHooks) -> None:
        """Send bad input, STATE and each RECORD's end to ``hooks`` (the target's)."""
        self._hooks = hooks

    @override
    def deserialize_json(self, line: Line) -> Message:
        """The checked message, or ``{"type": _SKIP}`` for a line already rejected."""
        try:
            message = _decoder.decode(line)
        except (msgspec.DecodeError, UnicodeError, RecursionError) as exc:
            return self._bad(None, _text(line), f"malformed Singer line ({_not_json(exc)})", exc)
        # Nesting first: the shape check of a SCHEMA walks its schema recursively.
        problem = hostile.problem(message) or _shape_problem(message)
        if problem is not None:
            return self._bad(_stream_of(message), _text(line), problem, None)
        assert isinstance(message, dict)  # _shape_problem found none: an object
        if message["type"] == "STATE":
            # Read as Decimal, a number in a STATE could not be printed back by json.dumps.
            message["value"] = json_safe(message["value"])
        return message

    @override
    def process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[Message], None]]
    ) -> Counter[str]:
        if self._hooks is not None:
            self._hooks.before_input()  # a refused key fails the run before any input is read
        guarded = {kind: self._guard(kind, callback) for kind, callback in callbacks.items()}
        guarded[_SKIP] = lambda _message: None
        lines = self._lines(file_input or self.default_input)
        return super().process_lines(cast("IO[str]", lines), guarded)

    def _guard(self, kind: str, callback: Callable[[Message], None]) -> Callable[[Message], None]:
        def run(message: Message) -> None:
            if kind == "STATE" and self._hooks is not None:
                # Not the SDK's: it would emit the STATE after the next drain, even while a
                # record before it waits for a reference. The target emits it when it is due.
                self._hooks.on_state(message.get("value"))
                return
            if kind == "RECORD":
                self.records_read += 1  # its position: the STATEs after it wait on it
            try:
                callback(message)
            except Exception as exc:
                if _raised_while_draining(exc):
                    raise
                rejected = message["record"] if kind == "RECORD" else self._line_text()
                self._bad(_stream_of(message), rejected, _reason(message["type"], exc), exc)
                return
            if kind == "RECORD" and self._hooks is not None:
                self._hooks.after_record()

        return run

    def _bad(self, stream: str | None, record: Any, reason: str, exc: Exception | None) -> Message:
        reason = self._clean(reason)
        hooks = self._hooks
        if hooks is None:
            raise exc or InvalidInputLine(reason)
        if isinstance(record, str):  # a raw line: it may quote the secret, the record cannot
            record = self._hide_secrets(record)
        hooks.on_bad_input(stream, record, reason)
        if hooks.fail_on_bad_input:
            raise exc or InvalidInputLine(reason)
        return {"type": _SKIP}

    def _clean(self, reason: str) -> str:
        """One line, no secret, no presigned signature; cut after the secrets are gone."""
        text = self._hide_secrets(" ".join(reason.split()))
        return str(redacted(text))[:_REASON_LIMIT]

    def _hide_secrets(self, text: str) -> str:
        for secret in self._hooks.secrets if self._hooks else ():
            if secret:
                text = text.replace(secret, "<secret removed>")
        return text

    def _line_text(self) -> str:
        return _text(self._line)

    def _lines(self, source: IO[Any]) -> Iterator[Line]:
        """The non-blank lines of ``source``: bytes when it has a byte buffer (stdin, a file).

        A text stream decodes as it reads, so one invalid UTF-8 byte raises from the loop
        itself and ends the run; read as bytes, the line that holds it is rejected by msgspec.
        """
        for line in getattr(source, "buffer", source):
            if line.strip():  # a blank line is no message: nothing to write, nothing to reject
                self._line = line  # the raw line, for a reject raised while it is processed
                yield line


def _text(line: Line) -> str:
    """A raw line as it goes to the rejects file: invalid bytes shown as ``\\xff``."""
    text = line.decode("utf-8", "backslashreplace") if isinstance(line, bytes) else line
    return text.rstrip("\r\n")


def _not_json(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    # msgspec before 0.23 raised UnicodeDecodeError; 0.23 raises its DecodeError naming UTF-8
    if isinstance(exc, UnicodeError) or "UTF-8" in str(exc):
        return f"not UTF-8: {exc}"
    return f"not JSON: {exc}"


def _stream_of(message: Any) -> str | None:
    stream = message.get("stream") if isinstance(message, dict) else None
    return stream if isinstance(stream, str) and stream else None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


# -- the shape of a message, before it is dispatched ---------------------------------------------


def _shape_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return f"malformed Singer line (a JSON value, {_json_type(message)}, not a message)"
    if "type" not in message:
        return "malformed Singer line (no message type)"
    kind = message["type"]
    if not isinstance(kind, str):
        return f"unknown message type: {_json_type(kind)}"
    if kind not in _KINDS:
        return f"unknown message type {kind[:40]!r}"
    if kind == "BATCH":
        return (
            "BATCH messages are not supported: the target does not advertise the batch "
            "capability (send RECORD messages)"
        )
    if kind in _WITH_STREAM and (problem := _stream_problem(message)):
        return problem
    check = _CHECKS.get(kind)
    return check(message) if check else None


def _stream_problem(message: Message) -> str | None:
    if "stream" not in message:
        return f"{message['type']} without a stream"
    stream = message["stream"]
    if not isinstance(stream, str):
        return f"stream must be a string, not {_json_type(stream)}"
    return None if stream else "stream must not be empty"


def _record_problem(message: Message) -> str | None:
    if "record" not in message:
        return "RECORD without a record"
    record = message["record"]
    if isinstance(record, dict):
        return None
    return f"record must be an object, not {_json_type(record)}"  # null too: never dropped


def _schema_problem(message: Message) -> str | None:
    schema = message.get("schema")
    if not isinstance(schema, dict):
        return f"schema must be an object, not {_json_type(schema)}"
    if not isinstance(schema.get("properties"), dict):
        return "schema must have properties (an object)"
    keys = message.get("key_properties")
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        return "key_properties must be a list of strings"
    # Checked here, not by the SDK: a schema it refuses would already have replaced the
    # stream's sink, and every later record of the stream would be rejected with it.
    try:
        DEFAULT_JSONSCHEMA_VALIDATOR.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"schema is not a valid JSON schema: {exc.message}"
    except RecursionError:
        return "schema is nested too deeply to check"
    return None


def _state_problem(message: Message) -> str | None:
    return None if "value" in message else "STATE without a value"


def _version_problem(message: Message) -> str | None:
    version = message.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        return None
    return f"ACTIVATE_VERSION version must be an integer, not {_json_type(version)}"


_CHECKS: dict[str, Callable[[Message], str | None]] = {
    "RECORD": _record_problem,
    "SCHEMA": _schema_problem,
    "STATE": _state_problem,
    "ACTIVATE_VERSION": _version_problem,
}


# -- what the SDK raised ----------------------------------------------------------------------


def _raised_while_draining(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in _DRAINS:
            return True
        tb = tb.tb_next
    return False


def _reason(kind: str, exc: Exception) -> str:
    if isinstance(exc, RecordsWithoutSchemaException):
        return "RECORD before its SCHEMA"
    if isinstance(exc, MissingKeyPropertiesError):
        return f"record is missing a key property: {exc}"
    if isinstance(exc, InvalidRecord):
        return f"record does not match the stream's schema: {exc.error_message}"
    if isinstance(exc, InvalidJSONSchema):
        return f"schema is not a valid JSON schema: {exc}"
    if kind == "ACTIVATE_VERSION" and isinstance(exc, KeyError):
        return "ACTIVATE_VERSION before its stream's SCHEMA"
    if isinstance(exc, ValueError) and str(exc).startswith("Could not parse value"):
        return f"record holds an invalid date or time: {exc}"  # the SDK parses date-time fields
    return f"{kind} could not be processed: {type(exc).__name__}: {exc}"
