"""target-lexful: writes Singer records into the Lexful API (create or update, never twice).

This module holds the settings, the wiring (the write engine, the reader's hooks, the STATE
gate) and the SDK's hooks. A record goes from here to ``sinks.py``, then to the write engine
(``engine/``, whose docstring draws the rest of its path).
"""

from __future__ import annotations

from typing import ClassVar

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.target_base import Target
from typing_extensions import override

from connector_core import DISTRIBUTION, OneLineStopTarget, file_hosts_property, setting_error
from connector_core.target import (
    DEFAULT_BATCH_ROWS,
    DRAIN_EVERY_SECONDS,
    GuardedTarget,
    file_source_properties,
)
from lexful_api import LexfulAuthError, LexfulError
from lexful_api.settings import concurrency_property, connection_properties, request_properties
from target_lexful.engine.settings import DEFAULT_REJECTS_PATH
from target_lexful.engine.write_engine import LexfulWriteEngine
from target_lexful.sinks import LexfulSink


class TargetLexful(OneLineStopTarget, GuardedTarget):
    """Singer target for the Lexful IT-documentation API."""

    # The API's failures a run ends on as things are (no API at api_url, an HTTP error, a
    # refused token): one ERROR line on the command line, no traceback.
    known_failures = (LexfulError,)

    name = "target-lexful"
    package_name = DISTRIBUTION  # the distribution it is installed from: --version reads it
    engine: LexfulWriteEngine
    default_sink_class = LexfulSink
    # ACTIVATE_VERSION: links and files sent as a whole set (tap-lexful's children:
    # all_parents) delete what the set no longer holds; see engine/versions.py.
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        *Target.capabilities,
        PluginCapabilities.ACTIVATE_VERSION,
    ]

    config_jsonschema = th.PropertiesList(
        *connection_properties("write to"),
        th.Property(
            "stream_asset_types",
            th.ObjectType(additional_properties=th.StringType),
            description=(
                "Stream name -> asset type name (or organizations, related_assets, files), for "
                "sources whose stream names differ. By default a stream maps to organizations, "
                "organization_types, asset_types, related_assets, files, users, or the asset "
                "type whose normalized name matches (system.contact -> system_contact)."
            ),
        ),
        th.Property(
            "match_on",
            th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
            description=(
                "Per stream (or per asset type name, or organizations), the natural keys that "
                "find an existing Lexful record when the source has no Lexful id; they also "
                'place a record that has no key. E.g. {"organizations": ["name"], '
                '"system.contact": ["organization_id", "first_name", "last_name"]}'
            ),
        ),
        th.Property(
            "id_map_path",
            th.StringType,
            description=(
                "SQLite file that maps source ids to Lexful ids and holds records waiting for "
                "a reference (default .target-lexful/id-map-<account_id>.sqlite)"
            ),
        ),
        th.Property(
            "create_asset_types",
            th.BooleanType,
            default=False,
            description=(
                "Create missing custom asset types from an asset_types stream, and add missing "
                "ext_ properties and references to system types (for a faithful copy)"
            ),
        ),
        th.Property(
            "create_users",
            th.BooleanType,
            default=False,
            description=(
                "Create users the destination lacks (matched by email), and delete the copy of "
                "a user deleted in the source; off by default: creating a user may invite a "
                "real person. Users that exist are updated either way"
            ),
        ),
        th.Property(
            "transfer_ownership_to",
            th.StringType,
            description=(
                "Email of a destination user who takes over what a deleted user owns "
                "(with create_users)"
            ),
        ),
        th.Property(
            "on_record_error",
            th.StringType,
            default="reject",
            allowed_values=["reject", "fail"],
            description=(
                "reject: write a record that cannot be written to rejects_path and go on; "
                "fail: stop at the first such record"
            ),
        ),
        th.Property(
            "extra_fields",
            th.StringType,
            default="drop",
            allowed_values=["drop", "reject"],
            description=(
                "A record field Lexful does not have (a CRM's email, crm_id): drop leaves it "
                "out with one warning per stream and field; reject rejects the record"
            ),
        ),
        th.Property(
            "rejects_path",
            th.StringType,
            default=str(DEFAULT_REJECTS_PATH),
            description="JSON-lines file of rejected records (stream, record, error, status)",
        ),
        th.Property(
            "dry_run",
            th.BooleanType,
            default=False,
            description=(
                "Validate everything and print the plan (create, update, reject) without "
                "writing to Lexful; no STATE is emitted"
            ),
        ),
        *file_source_properties(),
        file_hosts_property(),
        concurrency_property("Writes"),
        *request_properties(),
        th.Property(
            "batch_size_rows",
            th.IntegerType,
            description=(
                f"Records per batch and between STATE messages (default "
                f"{DEFAULT_BATCH_ROWS}); STATE also follows at least every "
                f"{int(DRAIN_EVERY_SECONDS)} seconds"
            ),
        ),
    ).to_dict()

    @override
    def build_engine(self) -> LexfulWriteEngine:
        return LexfulWriteEngine(
            self.config, user_agent=f"{self.name}/{self.plugin_version}", logger=self.logger
        )

    @override
    def secrets(self) -> tuple[str, ...]:
        return (str(self.config["api_key_secret"]),)

    @override
    def check_credentials(self) -> None:
        """A refused key or account stops the run before it reads any input."""
        try:
            self.engine.client.auth.token()
        except LexfulAuthError as exc:
            setting = "account_id" if exc.status == 403 else "api_key_id/api_key_secret"
            raise setting_error(f"{setting}: {exc}") from None
        errors = self.engine.setting_errors()
        if errors:
            raise ConfigValidationError(errors[0], errors=errors)

    @override
    def process_endofpipe(self) -> None:
        """Then: a stream rejected as a whole (no asset type for it) fails the run."""
        super().process_endofpipe()
        lost = self.engine.lost_streams
        if lost:
            raise StreamRejected(
                "; ".join(f"stream {s!r}: every record rejected: {why}" for s, why in lost.items())
            )


class StreamRejected(SystemExit):
    """A whole stream could not be written: the run ends with status 1 and this one line."""


if __name__ == "__main__":
    TargetLexful.cli()
