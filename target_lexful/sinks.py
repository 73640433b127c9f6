"""target-lexful's sink: batches records of one stream and hands them to the write engine."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from typing_extensions import override

from connector_core.target import EngineSink, hostile

if TYPE_CHECKING:
    from target_lexful.engine.write_engine import LexfulWriteEngine
    from target_lexful.target import TargetLexful


# What a source reads but Lexful has no place for: tap-lexful's asset_counts (the API's own
# counts, for a warehouse to check itself).
NOTHING_TO_WRITE = frozenset({"asset_counts"})


class LexfulSink(EngineSink):
    """One stream's records, written in batches by the target's write engine
    (``connector_core.target.sink``), with Lexful's JSON text fields and versions."""

    engine: LexfulWriteEngine

    def __init__(
        self,
        target: TargetLexful,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        # The SDK is given no key properties: it would reject a record without them before
        # the engine sees it, with a message listing its own _sdc_ fields. The engine checks
        # them itself, and a record match_on places needs none (``Handler.source_id``).
        super().__init__(target, stream_name, schema, [])
        self._declared_keys = list(key_properties or [])
        self._json_text = json_text_fields(schema)

    @property
    @override
    def key_properties(self) -> Sequence[str]:
        """The SCHEMA's key properties (the engine's, and the SDK's check of a new SCHEMA)."""
        return self._declared_keys

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        # Without it the SDK strips _sdc_deleted_at before the sink sees the record, and a
        # record deleted in the source would be written as live. (_sdc_* never reach the API.)
        return True

    @override
    def preprocess_record(self, record: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        # Back from the JSON text a source sent for a value of no single type (tap-lexful: a
        # property of a type it does not know), so the API gets the value itself.
        return parse_json_text(record, self._json_text) if self._json_text else record

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        if self.stream_name in NOTHING_TO_WRITE:
            return
        super().process_record(record, context)
        # Counted per stream: a version's full set is known only once all of it was read.
        self.engine.versions.record_read(self.stream_name)

    @override
    def activate_version(self, new_version: int) -> None:
        # Not the SDK's (a warning that it is not implemented): for links and files, the
        # run's records under this version are the full set, and the engine deletes the rest
        # at the end of input.
        self.engine.activate_version(self.stream_name, new_version)


# Numbers as the reader reads them (Decimal), so that ``hostile`` and ``json_safe`` apply.
_json_text_decoder = msgspec.json.Decoder(float_hook=decimal.Decimal)


def json_text_fields(schema: dict[str, Any]) -> tuple[str, ...]:
    """The properties a source sends as JSON text: strings marked ``contentMediaType:
    application/json`` (tap-lexful sends a property of a type it does not know that way)."""
    properties = schema.get("properties") or {}
    return tuple(
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and prop.get("contentMediaType") == "application/json"
    )


def parse_json_text(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The record with each of ``fields`` parsed back into the value the API wants.

    A text that is no JSON, or that holds what the target cannot take, raises ValueError: the
    reader makes the record a reject with that reason.
    """
    parsed = {}
    for name in fields:
        text = record.get(name)
        if not isinstance(text, str):
            continue  # null, or already a value
        try:
            value = _json_text_decoder.decode(text)
        except msgspec.DecodeError as exc:
            msg = f"{name}: the schema says JSON text, but it is not JSON ({exc})"
            raise ValueError(msg) from None
        problem = hostile.problem(value)
        if problem is not None:
            msg = f"{name}: its JSON text holds what the target cannot take: {problem}"
            raise ValueError(msg)
        parsed[name] = value
    return {**record, **parsed}
