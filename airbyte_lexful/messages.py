"""The Airbyte messages the adapters print, built from the protocol models of airbyte-cdk."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import (
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    FailureType,
    Level,
    StreamDescriptor,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from airbyte_lexful.singer import SingerFailedError

# Python's levels, for the logs that go through a logger (discover, check).
PYTHON_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}


def log(level: str, line: str) -> AirbyteMessage:
    # The Singer connectors never log a secret; the CDK's filter is a second guard.
    message = AirbyteLogMessage(level=Level(level), message=filter_secrets(line))
    return AirbyteMessage(type=Type.LOG, log=message)


def record(stream: str, data: dict[str, Any]) -> AirbyteMessage:
    emitted_at = int(time.time() * 1000)
    body = AirbyteRecordMessage(stream=stream, data=data, emitted_at=emitted_at)
    return AirbyteMessage(type=Type.RECORD, record=body)


def stream_state(stream: str, bookmark: Mapping[str, Any]) -> AirbyteMessage:
    state = AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(
            stream_descriptor=StreamDescriptor(name=stream),
            stream_state=AirbyteStateBlob(dict(bookmark)),
        ),
    )
    return AirbyteMessage(type=Type.STATE, state=state)


def status(stream: str, value: AirbyteStreamStatus) -> AirbyteMessage:
    return as_airbyte_message(StreamDescriptor(name=stream), value)


def traced(error: SingerFailedError) -> AirbyteTracedException:
    """The exception that ends a command whose Singer child failed.

    Raised out of the connector, the CDK's exception hook prints it as an ERROR trace (a
    setting's fault as ``config_error``, so that Airbyte asks the user rather than retrying)
    and the command exits 1.
    """
    return AirbyteTracedException(
        message=error.reason,
        internal_message=str(error),
        failure_type=FailureType.config_error if error.config_error else FailureType.system_error,
    )
