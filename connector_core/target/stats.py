"""What the run did, per stream: the counts the summary shows and the time spent writing."""

from __future__ import annotations

import threading

COUNTS = ("created", "updated", "unchanged", "deleted", "rejected")
# Any other count (``skipped``: deleted in the source and never copied, or an upload the source
# never completed; an engine's own, such as omitted members) is shown only when a run has some.


class Stats:
    """Per stream: created, updated, unchanged, deleted, rejected, and seconds spent writing.

    ``deleted``: links and files deleted because the source deleted them (``_sdc_deleted_at``,
    or no longer in an ACTIVATE_VERSION run's set); an asset deleted in the source is updated.
    An engine may count more (target-lightfield: ``omitted_members``); the table shows those
    columns only when a stream has them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.streams: dict[str, dict[str, float]] = {}

    def add(self, stream: str, what: str, amount: float = 1) -> None:
        with self._lock:
            row = self.streams.setdefault(stream, dict.fromkeys((*COUNTS, "seconds"), 0))
            row[what] = row.get(what, 0) + amount

    def total(self, what: str) -> int:
        return int(sum(row.get(what, 0) for row in self.streams.values()))

    def rows(self) -> list[str]:
        """The counts as a fixed-width table, the heading then a row a stream. The end-of-run
        log tells each as a line of its own (a stream name's line break stays inside its row,
        escaped by the scrubber)."""
        extra = sorted({k for row in self.streams.values() for k in row} - {*COUNTS, "seconds"})
        counts = (*COUNTS, *extra)
        head = f"{'stream':<28} " + " ".join(f"{c:>9}" for c in (*counts, "seconds"))
        lines = [head]
        for stream, row in sorted(self.streams.items()):
            cells = " ".join(f"{int(row.get(c, 0)):>9}" for c in counts)
            lines.append(f"{stream:<28} {cells} {row['seconds']:>9.2f}")
        return lines
