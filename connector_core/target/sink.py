"""``EngineSink``: an SDK batch sink that hands its records, with their input places, to the engine.

Every stream's sink shares the target's one write engine: a reference from one stream to
another is resolved through the same id map, and the engine keeps the order references need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from singer_sdk.sinks import BatchSink
from typing_extensions import override

from connector_core.target.base import GuardedTarget, TargetEngine
from connector_core.target.state_gate import DEFAULT_BATCH_ROWS


class EngineSink(BatchSink):
    """One stream's records, written in batches by the target's write engine."""

    engine: TargetEngine

    def __init__(
        self,
        target: GuardedTarget,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.engine = target.engine
        self._input_position = target.input_position
        self._records: list[dict[str, Any]] = []
        self._positions: list[int] = []

    @property
    @override
    def max_size(self) -> int:
        # The setting wins; without it a smaller default than the SDK's 10,000, so that a
        # crash loses little work. (A class attribute would silently hide the setting.)
        return self.batch_size_rows or DEFAULT_BATCH_ROWS

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        # Held here, not in the SDK's batch context, which the SDK logs after every record
        # (at DEBUG): presigned download URLs' signatures and all.
        self._records.append(record)
        # Where it stood in the input: if it has to wait, the STATEs after it wait with it.
        self._positions.append(self._input_position())

    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        records, self._records = self._records, []
        positions, self._positions = self._positions, []
        if records:
            self.engine.write_batch(self.stream_name, list(self.key_properties), records, positions)
