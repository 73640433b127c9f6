"""The error of one record: it cannot be written, and the run goes on (or stops, if asked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar


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


class HttpAnswer(Protocol):
    """What an API's HTTP error carries: the status and the API's message."""

    @property
    def status(self) -> int: ...

    @property
    def message(self) -> str: ...


A = TypeVar("A", bound=HttpAnswer)


def record_errors_from(answer_type: type[A]) -> Callable[[Exception], RecordError | None]:
    """The pool's question for one API, whose HTTP error is ``answer_type``: such an answer
    with a rejectable status is about one record (that record's error); anything else is
    about the run (``None``: it stops the run)."""

    def record_error_of(exc: Exception) -> RecordError | None:
        answer: object = exc  # narrowed to the API's error below
        if isinstance(answer, answer_type) and rejectable_status(answer.status):
            return RecordError(answer.message, answer.status)
        return None

    return record_error_of
