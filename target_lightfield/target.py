"""target-lightfield: writes tap-lightfield's records into a Lightfield workspace.

This module holds the settings and the API's hooks (the engine, the key check, the secret) on
the shared ``GuardedTarget`` (``connector_core.target.base``): bad input, STATE, signals and
the end of input are handled there, as for target-lexful.
"""

from __future__ import annotations

from singer_sdk import typing as th
from typing_extensions import override

from connector_core import (
    DISTRIBUTION,
    OneLineStop,
    OneLineStopTarget,
    concurrency_property,
    file_hosts_property,
    request_properties,
    setting_error,
)
from connector_core.target import (
    DEFAULT_BATCH_ROWS,
    DRAIN_EVERY_SECONDS,
    GuardedTarget,
    file_source_properties,
)
from lightfield_api import contract
from lightfield_api.errors import ContractMismatch, LightfieldError, LightfieldHTTPError
from lightfield_api.http import DEFAULT_REQUESTS_PER_SECOND
from target_lightfield.engine import LightfieldWriteEngine
from target_lightfield.engine.id_map_name import workspace_property
from target_lightfield.sinks import LightfieldSink


class TargetLightfield(OneLineStopTarget, GuardedTarget):
    """Singer target for the Lightfield CRM API."""

    name = "target-lightfield"
    package_name = DISTRIBUTION  # the distribution it is installed from: --version reads it
    # The API's failures a run ends on as things are (an HTTP error, no answer): one ERROR
    # line on the command line, no traceback.
    known_failures = (LightfieldError,)
    default_sink_class = LightfieldSink
    engine: LightfieldWriteEngine

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_url",
            th.URIType,
            default=contract.DEFAULT_API_URL,
            description="Base URL of the Lightfield API.",
        ),
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            description="A Lightfield API key (sk_lf_...); its workspace is the one written.",
        ),
        th.Property(
            "match_on",
            th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
            description=(
                "Per stream, the fields that find an existing record when the id map does not "
                'know it, e.g. {"accounts": ["$name"]}. Members are always matched by $email '
                "(see member_map); lists and files only through the id map (match_on on them "
                "is warned about and ignored)"
            ),
        ),
        th.Property(
            "skip_enrichment",
            th.BooleanType,
            default=True,
            description=(
                "Send skipEnrichment on account and contact creates: Lightfield's enrichment is "
                "metered, and its docs recommend skipping it for bulk loads"
            ),
        ),
        th.Property(
            "member_map",
            th.ObjectType(additional_properties=th.StringType),
            description=(
                "Source member email -> destination member email, for members whose address "
                'differs, e.g. {"sam@old.example": "sam@new.example"}; also applied to email '
                "participants. Other members are matched by the same $email"
            ),
        ),
        th.Property(
            "unknown_members",
            th.StringType,
            default="omit",
            allowed_values=["omit", "reject"],
            description=(
                "A relationship to a member the destination lacks: omit (left out of the "
                "write, counted as omitted_members) or reject (the record is rejected)"
            ),
        ),
        th.Property(
            "extra_fields",
            th.StringType,
            default="drop",
            allowed_values=["drop", "reject"],
            description=(
                "A field the object type's definitions lack: drop (left out of the write, one "
                "warning per stream and field) or reject (the record is rejected); checked in "
                "dry runs too"
            ),
        ),
        th.Property(
            "id_map_path",
            th.StringType,
            description=(
                "SQLite file that maps source ids to workspace ids and holds records waiting "
                "for a reference (default .target-lightfield/id-map-<workspace_name>.sqlite)"
            ),
        ),
        workspace_property(),
        th.Property(
            "on_record_error",
            th.StringType,
            default="reject",
            allowed_values=["reject", "fail"],
            description="reject: write the record to rejects_path and go on; fail: stop",
        ),
        th.Property(
            "rejects_path",
            th.StringType,
            default=".target-lightfield/rejects.jsonl",
            description="JSON-lines file of rejected records (stream, record, error, status)",
        ),
        th.Property(
            "dry_run",
            th.BooleanType,
            default=False,
            description="Plan (create, update, reject) without writing; no STATE is emitted",
        ),
        *file_source_properties(),
        file_hosts_property(),
        concurrency_property("Writes"),
        *request_properties(DEFAULT_REQUESTS_PER_SECOND, "under Lightfield's 25 a second"),
        th.Property(
            "batch_size_rows",
            th.IntegerType,
            description=(
                f"Records per batch and between STATE messages (default {DEFAULT_BATCH_ROWS}); "
                f"STATE also follows at least every {int(DRAIN_EVERY_SECONDS)} seconds"
            ),
        ),
    ).to_dict()

    @override
    def build_engine(self) -> LightfieldWriteEngine:
        return LightfieldWriteEngine(
            self.config, user_agent=f"{self.name}/{self.plugin_version}", logger=self.logger
        )

    @override
    def secrets(self) -> tuple[str, ...]:
        return (str(self.config["api_key"]),)

    @override
    def check_credentials(self) -> None:
        """A refused key stops the run before it reads any input (one line naming it); so does
        an id map used with another workspace (``workspace_name``) and a ``match_on`` filter the
        API ignores; then the settings that cannot do what they say are warned about
        (``check_settings``)."""
        try:
            self.engine.client.get_json(contract.VALIDATE_PATH)
        except LightfieldHTTPError as exc:
            message = f"api_key: {exc}" if exc.status in (401, 403) else f"api_url: {exc}"
            raise setting_error(message) from None
        except LightfieldError as exc:
            raise setting_error(f"api_url: {exc}") from None
        self.engine.check_workspace()
        try:
            self.engine.check_match_on()  # an ignored filter would match at random
        except ContractMismatch as exc:
            raise OneLineStop(str(exc)) from None
        self.engine.check_settings()


if __name__ == "__main__":
    TargetLightfield.cli()
