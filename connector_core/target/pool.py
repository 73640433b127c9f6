"""The engine's worker threads: a function over many items, each error sorted by whose it is."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from connector_core.target.errors import RecordError

T = TypeVar("T")
R = TypeVar("R")
#: An API's answer to "is this exception about one record?": the record's error, or None
#: (the exception is about the run, and stops it).
Classify = Callable[[Exception], RecordError | None]


@dataclass
class Fatal:
    """An error about the run (not about one record), held until every call has finished."""

    error: BaseException


class Pool:
    """The engine's worker threads: a function over many items, each error sorted by whose it is."""

    def __init__(self, max_concurrency: int, classify: Classify, name: str = "write") -> None:
        self._size = max(1, max_concurrency)
        self._classify = classify
        self._executor = ThreadPoolExecutor(self._size, name)

    def map(self, fn: Callable[[T], R], items: list[T], *, record_first: bool = False) -> list[Any]:
        """``fn`` over ``items`` on the pool; a record's error is its result, others raise.

        Every call is let finish before a fatal error is raised. With ``record_first`` the
        fatal errors are returned among the results instead (as ``Fatal``), so that the
        caller records in the id map what the other calls did write before it raises.
        """
        if not items:
            return []
        if len(items) == 1 or self._size <= 1:
            outcomes = [self._capture(fn, item) for item in items]
        else:
            futures = [self._executor.submit(self._capture, fn, item) for item in items]
            outcomes = [f.result() for f in futures]
        fatal = next((o for o in outcomes if isinstance(o, Fatal)), None)
        if fatal is not None and not record_first:
            raise fatal.error
        return outcomes

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def cancel(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _capture(self, fn: Callable[[T], R], item: T) -> R | RecordError | Fatal:
        try:
            return fn(item)
        except RecordError as exc:
            return exc
        except Exception as exc:
            return self._classify(exc) or Fatal(exc)
