"""``GuardedTarget``: the SDK target with the guarantees every one of our targets gives.

- bad input becomes rejects (``reader``), never a dead run;
- a drain every ``batch_size_rows`` records or ``DRAIN_EVERY_SECONDS``, and STATE printed only
  once every record read before it is written or rejected: the ``StateGate`` decides both
  (``state_gate``), so that a resume from the last STATE loses nothing;
- SIGTERM and SIGINT stop the run at once with 128 + the signal's number (the SDK's handlers
  would drain, print the latest STATE and exit 0);
- at the end of input: what still waits for a reference is rejected, then the last STATE and a
  summary per stream.

An API's target gives its write engine (``build_engine``, a ``TargetEngine``), its credential
check and its secrets.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterable
from types import FrameType
from typing import Any, Protocol

from singer_sdk.target_base import Target
from typing_extensions import override

from connector_core.http import HttpClient
from connector_core.target.errors import RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.reader import GuardedReader, ReaderHooks
from connector_core.target.rejects import Rejects
from connector_core.target.state_gate import StateGate
from connector_core.target.stats import Stats


class Interrupted(SystemExit):
    """SIGTERM or SIGINT: the run stops at once and exits 128 + the signal's number."""


class TargetEngine(Protocol):
    """What the target's hooks need of an API's write engine."""

    ids: IdMap
    stats: Stats
    rejects: Rejects

    @property
    def client(self) -> HttpClient: ...

    @property
    def dry_run(self) -> bool: ...
    @property
    def fail_on_reject(self) -> bool: ...
    def reject(self, stream: str | None, record: Any, error: RecordError) -> None: ...
    def write_batch(
        self,
        stream: str,
        key_properties: list[str],
        records: Iterable[dict[str, Any]],
        positions: Iterable[int],
    ) -> None: ...  # write, reject or park each record; positions: its place in the input
    def stop(self) -> None: ...  # interrupted: drop the writes not yet started
    def finish(self) -> None: ...  # end of input: release, then reject what still waits
    def close(self) -> None: ...


class GuardedTarget(Target):
    """A target whose input cannot kill it and whose STATE never runs ahead of its writes."""

    message_reader_class = GuardedReader
    # Sinks are drained one at a time: the engine runs each batch's writes concurrently
    # itself, and a serial drain keeps referenced records ahead of those that need them.
    max_parallelism = 1

    def __init__(self, **kwargs: Any) -> None:
        """The SDK's arguments, passed through as they are (config, message_reader, ...)."""
        super().__init__(**kwargs)
        self.engine = self.build_engine()
        self.state_gate = StateGate(
            batch_rows=self.config.get("batch_size_rows"), dry_run=self.engine.dry_run
        )
        if isinstance(self.message_reader, GuardedReader):
            self.message_reader.connect(
                ReaderHooks(
                    on_bad_input=self._reject_input,
                    on_state=self._hold_state,
                    after_record=self._after_record,
                    before_input=self.check_credentials,
                    fail_on_bad_input=self.engine.fail_on_reject,
                    secrets=self.secrets(),
                )
            )
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._interrupted)
            signal.signal(signal.SIGINT, self._interrupted)

    # -- the API's part -------------------------------------------------------------------

    def build_engine(self) -> TargetEngine:
        """The write engine every sink shares (it owns the client, the id map, the rejects)."""
        raise NotImplementedError

    def check_credentials(self) -> None:
        """Raise ConfigValidationError, naming the setting, if the API refuses the key.

        Called before any input is read: found later, the tap would have done all its work.
        """

    def secrets(self) -> tuple[str, ...]:
        """Values never shown in a reject (the raw line of a reject may quote them)."""
        return ()

    # -- shared ---------------------------------------------------------------------------

    def input_position(self) -> int:
        """RECORD lines read so far: where the record being read stands in the input."""
        return getattr(self.message_reader, "records_read", 0)

    def _reject_input(self, stream: str | None, record: Any, reason: str) -> None:
        self.logger.warning(
            "Rejected %s: %s", f"a record of {stream!r}" if stream else "a line", reason
        )
        self.engine.reject(stream, record, RecordError(reason))

    def _hold_state(self, value: Any) -> None:
        self.state_gate.hold(value, self.input_position())

    def _after_record(self) -> None:
        # The SDK drains by itself only every 5 minutes: the gate says when, so that STATE
        # follows the work.
        if self.state_gate.drain_due():
            self.drain_all()
            self.state_gate.release_settled(self.engine.ids.first_waiting_position())

    def _interrupted(self, signum: int, _frame: FrameType | None) -> None:
        self.logger.error(
            "%s stopped by %s: what was written is kept; run again from the last STATE "
            "printed and nothing is lost or written twice",
            self.name,
            signal.Signals(signum).name,
        )
        self.engine.stop()
        raise Interrupted(128 + signum)

    @override
    def process_endofpipe(self) -> None:
        try:  # closed on the way out, whatever happens: it owns what it opened
            self.drain_all()  # everything read is now written, rejected, or waiting on disk
            self.engine.finish()  # what still waits is rejected, naming the missing reference
            super().process_endofpipe()  # clean up the sinks
            self.state_gate.release_last()  # every record is settled
            self._log_summary()
        finally:
            self.engine.close()

    def _log_summary(self) -> None:
        stats = self.engine.stats
        mode = "dry run (nothing written)" if self.engine.dry_run else "summary"
        self.logger.info("%s %s:", self.name, mode)
        # A row a log line: a message is one line (the scrubber escapes a line break).
        for row in stats.rows():
            self.logger.info("%s", row)
        # The same, one line of JSON, for scripts (benchmarks, orchestration logs).
        self.logger.info("%s summary-json %s", self.name, json.dumps(stats.streams, sort_keys=True))
        if note := self.engine.client.concurrency_note():
            self.logger.info("%s: %s", self.name, note)
        rejected = stats.total("rejected")
        if rejected and self.engine.dry_run:
            self.logger.warning(
                "%d record(s) rejected by the plan (dry run: nothing written, no rejects file; "
                "see the dry-run: lines above)",
                rejected,
            )
        elif rejected:
            self.logger.warning("%d record(s) rejected; see %s", rejected, self.engine.rejects.path)
