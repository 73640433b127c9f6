"""source-lexful: tap-lexful under the Airbyte protocol (spec, check, discover, read)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConnectorSpecification,
    Status,
)
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteCatalogSerializer
from airbyte_cdk.sources import Source

from airbyte_lexful import messages, singer
from airbyte_lexful.check import check_source
from airbyte_lexful.mapping import airbyte_catalog, tap_inputs
from airbyte_lexful.read import ReadSession
from airbyte_lexful.singer import SingerFailedError
from airbyte_lexful.spec import source_settings


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


def _log_lines(logger: logging.Logger, lines: list[tuple[str, str]]) -> None:
    """The tap's log through the CDK's logger, which prints LOG messages."""
    for level, line in lines:
        logger.log(messages.PYTHON_LEVELS[level], line)
