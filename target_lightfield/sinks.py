"""target-lightfield's sink: batches records of one stream and hands them to the write engine.

The batching is the core's (``connector_core.target.sink``); Lightfield adds nothing to it.
"""

from __future__ import annotations

from connector_core.target.sink import EngineSink


class LightfieldSink(EngineSink):
    """One stream's records, written in batches by the target's one ``LightfieldEngine``."""
