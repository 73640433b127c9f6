"""ACTIVATE_VERSION for links and files: what the source's full set no longer holds is deleted.

A tap that reads every asset's links and files again on each run (tap-lexful's
``children: all_parents``) sends them under one version V a run: ACTIVATE_VERSION V (once, or
once per parent asset) and V in each RECORD (``_sdc_table_version`` once the SDK has read it).
The id map keeps the version each link or file last came with. At the end of an input read to
its end, a link or a file this target wrote for the stream and last saw before V (or never
with a version) was removed in the source: it is deleted in Lexful too, and marked deleted in
the id map, so that it is not deleted twice and is created again if the source brings it back.

A set is whole only when an ACTIVATE_VERSION follows the stream's last record: tap-lexful sends
it again after the last one. Meltano (and a shell pipe) ends the target's input normally when
the tap fails, so a pass cut short looks like an input read to its end; without that closing
message it deletes nothing.

Nothing is deleted:

- for a stream without ACTIVATE_VERSION (its records are then only what changed);
- for a stream whose last record came after its last ACTIVATE_VERSION (a pass cut short, or a
  tap that sends it only before the records);
- after an interrupted run (``LexfulWriteEngine.finish`` is not reached);
- for a stream with a rejected record of no known key (a line that could not be read, a record
  without its key): the run's set is then not known to be complete;
- that this target did not write (made directly in the destination account): it has no entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from connector_core.target import Entry, Fatal, IdMap, Pool, RecordError, Stats
from target_lexful.engine.handlers.base import ChildHandler, Handler
from target_lexful.engine.model import CHILD_KINDS

PlanLine = Callable[[str, str | None, str, str], None]  # action, stream, what, why
_CHUNK = 500  # deletes handed to the pool at once: memory stays bounded, marks land as we go


class Versions:
    """Each links and files stream's ACTIVATE_VERSION, and the sweep of what the set lost."""

    def __init__(
        self,
        ids: IdMap,
        stats: Stats,
        logger: logging.Logger,
        *,
        plan_line: PlanLine | None = None,
    ) -> None:
        self._ids = ids
        self._stats = stats
        self._logger = logger
        self._plan_line = plan_line  # dry_run: deletes are planned, never sent
        self._active: dict[str, tuple[str, int]] = {}  # stream -> (kind, version)
        self._ignored: set[str] = set()
        self._incomplete: set[str | None] = set()  # None: a line of no known stream
        self._closed: dict[str, bool] = {}  # stream -> an ACTIVATE_VERSION after its last record

    def activate(self, stream: str, kind: str, version: int) -> None:
        if kind not in CHILD_KINDS:
            if stream not in self._ignored:  # assets and organizations are never swept
                self._ignored.add(stream)
                self._logger.warning(
                    "ACTIVATE_VERSION of %r ignored: only links and files streams honour it",
                    stream,
                )
            return
        held = self._active.get(stream)
        if held is None:
            self._logger.info(
                "%s: ACTIVATE_VERSION %d: what this target wrote and the run does not send "
                "again is deleted at the end of input",
                stream,
                version,
            )
        elif held[1] != version:
            self._logger.warning(
                "%s: ACTIVATE_VERSION %d after %d: the highest wins", stream, version, held[1]
            )
        # Versions grow from run to run: a lower one never narrows what the run counts as seen.
        self._active[stream] = (kind, max(version, held[1]) if held else version)
        self._closed[stream] = True

    def record_read(self, stream: str) -> None:
        if stream in self._closed:
            self._closed[stream] = False  # a record after the version: the set is open again

    def unknown_reject(self, stream: str | None) -> None:
        self._incomplete.add(stream)

    def sweep(self, handlers: dict[str, Handler], pool: Pool) -> None:
        """Delete, stream by stream, what the run's version no longer holds."""
        for stream, (kind, version) in sorted(self._active.items()):
            if not self._closed.get(stream):
                self._logger.warning(
                    "%s: nothing deleted: no ACTIVATE_VERSION after the last record, so the "
                    "set of version %d is not known to be whole (the source's pass was cut "
                    "short?)",
                    stream,
                    version,
                )
                continue
            if self._incomplete & {stream, None}:
                self._logger.warning(
                    "%s: nothing deleted: a rejected record could not be identified, so the "
                    "set of version %d may be incomplete (see the rejects)",
                    stream,
                    version,
                )
                continue
            handler = handlers[kind]
            assert isinstance(handler, ChildHandler)
            stale = self._ids.stale_children(stream, version)
            deleted = sum(
                self._delete(stream, version, handler, stale[start : start + _CHUNK], pool)
                for start in range(0, len(stale), _CHUNK)
            )
            if stale:
                self._logger.info(
                    "%s: %d of %d removed in the source (not sent with version %d) %s",
                    stream,
                    deleted,
                    len(stale),
                    version,
                    "would be deleted" if self._plan_line else "deleted",
                )

    def _delete(
        self, stream: str, version: int, handler: ChildHandler, stale: list[Entry], pool: Pool
    ) -> int:
        """Delete ``stale`` (dry_run: plan it); how many are gone."""
        if self._plan_line is not None:
            for entry in stale:
                what = f"{entry.source_id} (Lexful {entry.target_id})"
                self._plan_line("delete", stream, what, f"not sent with version {version}")
                self._stats.add(stream, "deleted")
            return len(stale)
        outcomes = pool.map(handler.delete_entry, stale, record_first=True)
        fatal, deleted = None, 0
        for entry, outcome in zip(stale, outcomes, strict=True):
            if isinstance(outcome, Fatal):
                fatal = fatal or outcome
            elif isinstance(outcome, RecordError):  # left for the next run to try again
                self._logger.warning(
                    "%s %s not deleted: %s", stream, entry.source_id, outcome.message
                )
            else:
                self._ids.mark_deleted(stream, entry.source_id)
                self._stats.add(stream, "deleted")
                deleted += 1
        if fatal is not None:
            raise fatal.error  # after what was deleted is marked in the id map
        return deleted
