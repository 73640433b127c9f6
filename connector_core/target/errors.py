"""The error of one record: it cannot be written, and the run goes on (or stops, if asked)."""

from __future__ import annotations


class RecordError(Exception):
    """This record cannot be written; the run goes on (or stops, with ``on_record_error=fail``)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class KeylessRecord(RecordError):
    """A record with no key the target can place: with ``on_record_error=fail`` its stop is
    the SDK's ``MissingKeyPropertiesError`` (what the SDK's target tests expect)."""


def rejectable_status(status: int) -> bool:
    """An answer about this record (validation, conflict, not found), not about the run."""
    return 400 <= status < 500 and status not in (401, 403, 408, 429)
