"""destination-lexful: target-lexful under the Airbyte protocol (spec, check, write)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConnectorSpecification,
    DestinationSyncMode,
    FailureType,
    Status,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from airbyte_lexful.check import check_destination
from airbyte_lexful.mapping import DESTINATION_SYNC_MODES
from airbyte_lexful.spec import destination_settings
from airbyte_lexful.write import WriteSession


class DestinationLexful(Destination):
    """Airbyte destination that runs target-lexful for each write."""

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return ConnectorSpecification(
            connectionSpecification=destination_settings(),
            supported_destination_sync_modes=[
                DestinationSyncMode(m) for m in DESTINATION_SYNC_MODES
            ],
        )

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        connected, message = check_destination(config)
        return AirbyteConnectionStatus(
            status=Status.SUCCEEDED if connected else Status.FAILED, message=message
        )

    def write(
        self,
        config: Mapping[str, Any],
        configured_catalog: ConfiguredAirbyteCatalog,
        input_messages: Iterable[AirbyteMessage],
    ) -> Iterator[AirbyteMessage]:
        _refuse_unsupported_modes(configured_catalog)
        configured = ConfiguredAirbyteCatalogSerializer.dump(configured_catalog)
        yield from WriteSession(configured).messages(config, input_messages)


def _refuse_unsupported_modes(catalog: ConfiguredAirbyteCatalog) -> None:
    """Stop before anything is written when a stream asks for what the target cannot do."""
    refused = [
        f"{item.stream.name} ({item.destination_sync_mode.value})"
        for item in catalog.streams
        if item.destination_sync_mode.value not in DESTINATION_SYNC_MODES
    ]
    if refused:
        message = (
            f"destination-lexful supports {', '.join(DESTINATION_SYNC_MODES)} only (it creates or "
            f"updates records and never deletes one); refused: {', '.join(refused)}"
        )
        raise AirbyteTracedException(message=message, failure_type=FailureType.config_error)
