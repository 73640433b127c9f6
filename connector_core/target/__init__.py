"""The targets' shared half: what makes a Singer target safe to stop, resume and feed bad input.

Nothing here knows one API:

- ``reader`` (bad input becomes rejects, ``hostile`` values refused) and ``state_gate`` (STATE
  held until every record read before it is written or rejected);
- ``id_map`` / ``id_map_schema``: the SQLite id map (source ids to destination ids, write
  intents, records waiting for a reference, rejects of an unfinished run);
- ``waves``: a batch written in waves, records whose references are not written yet parked in
  the id map and released once they are;
- ``base``: ``GuardedTarget``, the SDK target with the above wired in (drains, STATE, signals,
  end of input, summary);
- ``rejects`` (the rejects file), ``pool`` (worker threads, each error sorted by whose it is),
  ``errors`` (``RecordError``), ``stats`` (the per-stream summary), ``values`` (JSON-safe
  copies, hashes, redaction), ``file_sources`` (where a file's bytes may come from) and
  ``file_content`` (a file record's bytes, loaded by those rules).

An API's target (``target_lexful``, ``target_lightfield``) adds its routing, its handlers and
its settings.
"""

# The declared surface: what plugins may import (tests/test_layout.py checks it).
from __future__ import annotations

from connector_core.target import file_content, hostile
from connector_core.target.base import GuardedTarget
from connector_core.target.errors import (
    KeylessRecord,
    RecordError,
    record_errors_from,
    rejectable_status,
)
from connector_core.target.file_sources import FileSources, file_source_properties
from connector_core.target.id_map import IdMap
from connector_core.target.id_map_marks import marks, replace_marks
from connector_core.target.id_map_schema import (
    DELETED_HASH,
    DONE,
    INTENT,
    REJECTED,
    Entry,
    Waiting,
    retag,
)
from connector_core.target.outcomes import OutcomeBook, PlanLines, StopOnReject
from connector_core.target.pool import Fatal, Pool
from connector_core.target.rejects import Rejects
from connector_core.target.sink import EngineSink
from connector_core.target.state_gate import DEFAULT_BATCH_ROWS, DRAIN_EVERY_SECONDS
from connector_core.target.stats import Stats
from connector_core.target.values import is_uuid, json_safe, redacted, stable_hash
from connector_core.target.waves import Waves, WaveSteps

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "DELETED_HASH",
    "DONE",
    "DRAIN_EVERY_SECONDS",
    "INTENT",
    "REJECTED",
    "EngineSink",
    "Entry",
    "Fatal",
    "FileSources",
    "GuardedTarget",
    "IdMap",
    "KeylessRecord",
    "OutcomeBook",
    "PlanLines",
    "Pool",
    "RecordError",
    "Rejects",
    "Stats",
    "StopOnReject",
    "Waiting",
    "WaveSteps",
    "Waves",
    "file_content",
    "file_source_properties",
    "hostile",
    "is_uuid",
    "json_safe",
    "marks",
    "record_errors_from",
    "redacted",
    "rejectable_status",
    "replace_marks",
    "retag",
    "stable_hash",
]
