"""tap-lightfield's bookmarks: what an incremental stream's state holds, where a run's
emission starts from it, and how it moves.

- The replication key is ``modifiedAt`` (``schemas.MODIFIED_AT``), which the tap makes: the
  latest of a record's ``createdAt``, ``updatedAt`` and ``completedAt`` (``modified_at``), in
  the API's timestamp form, so that the SDK's comparison of strings compares moments.
- Where a run starts: Lightfield documents no sort parameter and no filter on a timestamp, so
  an incremental stream reads its whole list every run and emits what is after the bookmark
  (``emit_after``: the state's ``replication_key_value``, else ``start_date``;
  ``after_bookmark`` is the test, for the trash too).
- How it moves: the list is newest first, not in ``modifiedAt`` order (the stream is not
  sorted), so the SDK keeps the highest ``modifiedAt`` emitted and writes it as the bookmark
  at the stream's end, capped at the run's start less ``index_lag_seconds`` (``signpost``, the
  SDK's replication signpost): a write the API's index had not shown yet has a ``modifiedAt``
  after that cap, so the next run emits it.
- Beside the bookmark, a stream of records with relationships keeps the fingerprints of the
  links it last read (``links``, ``links_seen``): a record whose links changed from the other
  side is emitted too, although its ``modifiedAt`` did not move.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lightfield_api import contract

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_lightfield.client import LightfieldStream


def modified_at(item: dict[str, Any]) -> str:
    """The latest of a record's ``createdAt``, ``updatedAt`` and ``completedAt``, in the
    API's form (so that strings compare as moments); ``""`` when it has none."""
    stamps = [item.get(key) for key in ("createdAt", "updatedAt", "completedAt")]
    return max(
        (contract.reformat_timestamp(s) for s in stamps if isinstance(s, str) and s), default=""
    )


def emit_after(stream: LightfieldStream, context: Context | None) -> str | None:
    """Emit records whose ``modifiedAt`` is after this: the bookmark, else ``start_date``;
    None for a stream that is not incremental, or on a first run without a start date."""
    if not stream.replication_key:
        return None
    start = stream.get_starting_timestamp(context)
    return contract.format_timestamp(start) if start is not None else None


def after_bookmark(stamp: str, after: str | None) -> bool:
    """Whether a record of ``modifiedAt`` ``stamp`` is new since ``after`` (``emit_after``)."""
    return after is None or stamp > after


def signpost(stream: LightfieldStream, started_at: datetime) -> str | None:
    """The highest bookmark this run may write: its start, less the index lag allowed."""
    if not stream.replication_key:
        return None
    lag = timedelta(seconds=float(stream.config.get("index_lag_seconds") or 0))
    return contract.format_timestamp(started_at - lag)
