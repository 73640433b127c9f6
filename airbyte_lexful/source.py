"""source-lexful: tap-lexful under the Airbyte protocol (spec, check, discover, read)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from airbyte_cdk.connector import TConfig
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConnectorSpecification,
    FailureType,
    Status,
)
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteCatalogSerializer
from airbyte_cdk.sources import Source
from airbyte_cdk.sources.utils.schema_helpers import split_config
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from typing_extensions import override

from airbyte_lexful import messages, singer
from airbyte_lexful.check import check_source
from airbyte_lexful.mapping import airbyte_catalog, tap_inputs
from airbyte_lexful.read import ReadSession
from airbyte_lexful.singer import SingerFailedError
from airbyte_lexful.spec import setting_errors, source_settings


class SourceLexful(Source):
    """Airbyte source that runs tap-lexful for each command that reads the account.

    The console script reads without the CDK when it can (see ``cli``); this ``read`` is the
    same session, its messages loaded into the CDK's models.
    """

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return ConnectorSpecification(
            connectionSpecification=source_settings(), supportsIncremental=True
        )

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        connected, message = check_source(config)
        return AirbyteConnectionStatus(
            status=Status.SUCCEEDED if connected else Status.FAILED, message=message
        )

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        try:
            catalog, lines = singer.discover(config)
        except SingerFailedError as exc:
            _log_lines(logger, exc.lines)
            raise messages.traced(exc) from None
        _log_lines(logger, lines)
        return AirbyteCatalogSerializer.load(airbyte_catalog(catalog))

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        configured = ConfiguredAirbyteCatalogSerializer.dump(catalog)
        states = [AirbyteStateMessageSerializer.dump(message) for message in state or []]
        inputs = tap_inputs(config, configured, states)
        tap = inputs.start()
        try:
            for line in ReadSession.of(inputs, configured).messages(tap):
                yield messages.model(orjson.loads(line))
        except SingerFailedError as exc:
            raise messages.traced(exc) from None
        finally:
            tap.close()


class SourceEntrypoint(AirbyteEntrypoint):
    """The CDK's entrypoint, whose check of a config against the spec (before ``check``,
    ``discover`` and ``read``) words a refusal as tap-lexful does: a ``check`` then says what
    the ``read`` that runs the tap says (the CDK would say ``Config validation error: 0 is
    less than the minimum of 2``, without the setting's name)."""

    @staticmethod
    @override
    def validate_connection(source_spec: ConnectorSpecification, config: TConfig) -> None:
        connector_config, _internal = split_config(config)
        errors = setting_errors(connector_config, source_spec.connectionSpecification)
        if errors:
            raise AirbyteTracedException(
                message=errors[0], internal_message=errors[0], failure_type=FailureType.config_error
            )


def launch(argv: list[str]) -> None:
    """``source-lexful`` under the CDK, as the CDK's ``launch`` runs a source."""
    entrypoint = SourceEntrypoint(SourceLexful())
    with PRINT_BUFFER:
        for message in entrypoint.run(entrypoint.parse_args(argv)):
            print(f"{message}\n", end="")


def _log_lines(logger: logging.Logger, lines: list[tuple[str, str]]) -> None:
    """The tap's log through the CDK's logger, which prints LOG messages."""
    for level, line in lines:
        logger.log(messages.PYTHON_LEVELS[level], line)
