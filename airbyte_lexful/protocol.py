"""The Airbyte messages the adapters print, as the protocol's JSON, without airbyte-cdk.

airbyte-cdk imports all of itself at once (about 1.3 s of CPU), which would cost a
``source-lexful read`` more than the translation of a 30k-record sync. So the messages of a
read are built here as plain JSON, in the shapes of the CDK's models (the tests validate every
printed line against them), and ``messages`` turns them into models where the CDK needs them.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from connector_core import scrub

Json = dict[str, Any]

CONFIG_ERROR = "config_error"
SYSTEM_ERROR = "system_error"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def line(message: Mapping[str, Any]) -> bytes:
    """A message as the line that prints it."""
    return orjson.dumps(message, option=orjson.OPT_APPEND_NEWLINE)


def record_line(stream: str, data: bytes, emitted_at: int) -> bytes:
    """A RECORD's line, around its data as the JSON bytes the tap printed (not decoded)."""
    head = b'{"type":"RECORD","record":{"stream":' + orjson.dumps(stream) + b',"data":'
    return head + data + b',"emitted_at":' + str(emitted_at).encode() + b"}}\n"


def stream_state(stream: str, bookmark: Mapping[str, Any], records: int) -> Json:
    """A STREAM state, with the count of records since the stream's last state (as the CDK
    adds it: a destination checks that the counts add up)."""
    state = {"stream_descriptor": {"name": stream}, "stream_state": dict(bookmark)}
    body = {"type": "STREAM", "stream": state, "sourceStats": {"recordCount": float(records)}}
    return {"type": "STATE", "state": body}


def status(stream: str, value: str) -> Json:
    """A stream status (STARTED, RUNNING, COMPLETE, INCOMPLETE) as a TRACE message."""
    body = {"stream_descriptor": {"name": stream}, "status": value}
    trace = {"type": "STREAM_STATUS", "emitted_at": float(_now_ms()), "stream_status": body}
    return {"type": "TRACE", "trace": trace}


def log(level: str, line: str) -> Json:
    return {"type": "LOG", "log": {"level": level, "message": line}}


def error_trace(message: str, internal: str, failure_type: str) -> Json:
    """The ERROR trace that ends a failed command; a setting's fault is a ``config_error``, so
    that Airbyte asks the user rather than retrying."""
    # Cleaned like every log line (connector_core.scrub): a peer's error text may quote a
    # secret or a bearer token, whichever process it came from.
    error = {
        "message": scrub.clean(message, 2000),
        "internal_message": scrub.clean(internal, 4000),
        "failure_type": failure_type,
        "stack_trace": scrub.mask("".join(traceback.format_exc())),
    }
    return {"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": _now_ms(), "error": error}}


class SecretFilter:
    """Masks the config's secret values in a line (the Singer connectors never log one: this
    is the second guard, which the CDK's own filter is on its path)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, "****")
        return line
