"""target-lightfield's sink: batches records of one stream and hands them to the write engine.

The batching is the core's (``connector_core.target.sink``).
"""

from __future__ import annotations

from typing_extensions import override

from connector_core.target import EngineSink


class LightfieldSink(EngineSink):
    """One stream's records, written in batches by the target's one ``LightfieldWriteEngine``."""

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        # Without it the SDK strips _sdc_deleted_at before the sink sees the record, and a
        # record trashed in the source would be written as live. (_sdc_* never reach the API.)
        return True

    @override
    def activate_version(self, new_version: int) -> None:
        # Not the SDK's (a warning per message that it is not implemented): tap-lightfield
        # sends lists and list_members as full sets; the copy is only added to (a list
        # membership removed in the source stays in the copy; README says so).
        _ = new_version
