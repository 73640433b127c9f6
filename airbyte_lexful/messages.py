"""The adapters' messages as airbyte-cdk's models, where the CDK prints them (``check``,
``discover``, ``write``, and ``read`` when the CDK runs it): the JSON of ``protocol``, loaded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, FailureType
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from airbyte_lexful import protocol
from airbyte_lexful.singer import SingerFailedError
from connector_core import scrub

# Python's levels, for the logs that go through a logger (discover, check).
PYTHON_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}


def model(message: Mapping[str, Any]) -> AirbyteMessage:
    return AirbyteMessageSerializer.load(message)


def log(level: str, line: str) -> AirbyteMessage:
    # The Singer connectors never log a secret; the CDK's filter is a second guard.
    return model(protocol.log(level, filter_secrets(line)))


def traced(error: SingerFailedError) -> AirbyteTracedException:
    """The exception that ends a command whose Singer child failed.

    Raised out of the connector, the CDK's exception hook prints it as an ERROR trace (a
    setting's fault as ``config_error``, so that Airbyte asks the user rather than retrying)
    and the command exits 1.
    """
    return AirbyteTracedException(
        message=scrub.clean(error.reason, 2000),
        internal_message=scrub.clean(str(error), 4000),
        failure_type=FailureType.config_error if error.config_error else FailureType.system_error,
    )
