"""target-lexful: writes Singer records into the Lexful API (create or update, never twice).

This module holds the settings, the wiring (the write engine, the reader's hooks, the STATE
gate) and the SDK's hooks. A record goes from here to ``sinks.py``, then to the write engine
(``engine/``, whose docstring draws the rest of its path).
"""

from __future__ import annotations

import json
import signal
import threading
import time
from types import FrameType
from typing import Any, ClassVar

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.target_base import Target
from typing_extensions import override

from lexful_api import LexfulAuthError
from lexful_api.settings import concurrency_property, connection_properties, request_properties
from target_lexful.engine.model import RecordError
from target_lexful.engine.write_engine import WriteEngine
from target_lexful.reader import LexfulReader, ReaderHooks
from target_lexful.sinks import LexfulSink
from target_lexful.state_gate import StateGate
from target_lexful.storage.rejects import DEFAULT_PATH as DEFAULT_REJECTS_PATH

DRAIN_EVERY_SECONDS = 30.0  # a crash loses at most this much work (the SDK's own is 5 minutes)


class Interrupted(SystemExit):
    """SIGTERM or SIGINT: the run stops at once and exits 128 + the signal's number."""


class TargetLexful(Target):
    """Singer target for the Lexful IT-documentation API."""

    name = "target-lexful"
    default_sink_class = LexfulSink
    # ACTIVATE_VERSION: links and files sent as a whole set (tap-lexful's children:
    # all_parents) delete what the set no longer holds; see engine/versions.py.
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        *Target.capabilities,
        PluginCapabilities.ACTIVATE_VERSION,
    ]
    message_reader_class = LexfulReader
    # Sinks are drained one at a time: the engine runs each batch's writes concurrently
    # itself, and a serial drain keeps organizations ahead of the assets that need them.
    max_parallelism = 1

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
                "Per stream, the natural keys that find an existing Lexful record when the "
                'source has no Lexful id, e.g. {"organizations": ["name"], '
                '"system_contact": ["organization_id", "first_name", "last_name"]}'
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
        th.Property(
            "files_root",
            th.StringType,
            description=(
                "Directory a files record's local_path must be inside (after resolving .. and "
                "symlinks); a relative local_path is taken relative to it. Unset: every "
                "local_path is rejected"
            ),
        ),
        th.Property(
            "allowed_download_hosts",
            th.ArrayType(th.StringType),
            default=[],
            description=(
                "Hosts a files record's download_url (https or http) may be fetched from: "
                "host, host:port, or *.domain (its subdomains, which must resolve to public "
                "addresses). Empty: every download_url is rejected. Loopback, private and "
                "link-local hosts must be listed exactly"
            ),
        ),
        concurrency_property("Writes"),
        *request_properties(),
        th.Property(
            "batch_size_rows",
            th.IntegerType,
            description=(
                f"Records per batch and between STATE messages (default "
                f"{LexfulSink.DEFAULT_BATCH_ROWS}); STATE also follows at least every "
                f"{int(DRAIN_EVERY_SECONDS)} seconds"
            ),
        ),
    ).to_dict()

    def __init__(self, **kwargs: Any) -> None:
        """The SDK's arguments, passed through as they are (config, message_reader, ...)."""
        super().__init__(**kwargs)
        self.engine = WriteEngine(
            self.config, user_agent=f"{self.name}/{self.plugin_version}", logger=self.logger
        )
        self.state_gate = StateGate()
        self._since_drain = 0
        self._drained_at = time.monotonic()
        if isinstance(self.message_reader, LexfulReader):
            self.message_reader.connect(
                ReaderHooks(
                    on_bad_input=self._reject_input,
                    on_state=self._hold_state,
                    after_record=self._after_record,
                    before_input=self._check_credentials,
                    fail_on_bad_input=self.engine.settings.fail_on_reject,
                    secrets=(str(self.config["api_key_secret"]),),
                )
            )
        if threading.current_thread() is threading.main_thread():
            # The SDK's handlers drain, print the latest STATE and exit 0: a STATE that may
            # cover unwritten records, and a pipeline that believes the run succeeded.
            signal.signal(signal.SIGTERM, self._interrupted)
            signal.signal(signal.SIGINT, self._interrupted)

    def input_position(self) -> int:
        """RECORD lines read so far: where the record being read stands in the input."""
        return getattr(self.message_reader, "records_read", 0)

    # -- input hooks ----------------------------------------------------------------------------

    def _check_credentials(self) -> None:
        """A refused key or account stops the run before it reads any input.

        Found later, it would stop the run after the tap has done all its work (and a whole
        input would be read for nothing); the SDK prints the message and exits 1.
        """
        try:
            self.engine.client.auth.token()
        except LexfulAuthError as exc:
            setting = "account_id" if exc.status == 403 else "api_key_id/api_key_secret"
            message = f"{setting}: {exc}"
            raise ConfigValidationError(message, errors=[message]) from None

    def _reject_input(self, stream: str | None, record: Any, reason: str) -> None:
        self.logger.warning(
            "Rejected %s: %s", f"a record of {stream!r}" if stream else "a line", reason
        )
        self.engine.reject(stream, record, RecordError(reason))

    def _hold_state(self, value: Any) -> None:
        if not self.engine.settings.dry_run:  # a plan must not advance the pipeline's state
            self.state_gate.hold(value, self.input_position())

    def _after_record(self) -> None:
        # The SDK drains by itself only every 5 minutes: drain every batch_size_rows records
        # or DRAIN_EVERY_SECONDS, so that STATE follows the work.
        self._since_drain += 1
        rows = self.config.get("batch_size_rows") or LexfulSink.DEFAULT_BATCH_ROWS
        waited = time.monotonic() - self._drained_at
        if self._since_drain >= rows or waited >= DRAIN_EVERY_SECONDS:
            self.drain_all()
            self.state_gate.release(self.engine.ids.first_waiting_position())
            self._since_drain = 0
            self._drained_at = time.monotonic()

    def _interrupted(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        self.logger.error(
            "target-lexful stopped by %s: what was written is kept; run again from the last "
            "STATE printed and nothing is lost or written twice",
            name,
        )
        self.engine.stop()
        raise Interrupted(128 + signum)

    @override
    def process_endofpipe(self) -> None:
        with self.engine:  # closed on the way out, whatever happens: it owns what it opened
            self.drain_all()  # everything read is now written, rejected, or waiting on disk
            self.engine.finish()  # what still waits is rejected, naming the missing reference
            super().process_endofpipe()  # clean up the sinks
            self.state_gate.release(None)  # every record is settled: the last STATE is due
            self._log_summary()

    def _log_summary(self) -> None:
        stats = self.engine.stats
        mode = "dry run (nothing written)" if self.engine.settings.dry_run else "summary"
        self.logger.info("target-lexful %s:\n%s", mode, stats.table())
        # The same, one line of JSON, for scripts (benchmarks, orchestration logs).
        self.logger.info("target-lexful summary-json %s", json.dumps(stats.streams, sort_keys=True))
        rejected = stats.total("rejected")
        if rejected:
            where = "not written" if self.engine.settings.dry_run else self.engine.rejects.path
            self.logger.warning("%d record(s) rejected; see %s", rejected, where)


if __name__ == "__main__":
    TargetLexful.cli()
