"""The engine's worker threads: a function over many items, each error sorted by whose it is."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from lexful_api import LexfulHTTPError
from target_lexful.engine.model import RecordError, rejectable

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Fatal:
    """An error about the run (not about one record), held until every call has finished."""

    error: BaseException


class Pool:
    """The engine's worker threads: a function over many items, each error sorted by whose it is."""

    def __init__(self, max_concurrency: int) -> None:
        self._size = max(1, max_concurrency)
        self._executor = ThreadPoolExecutor(self._size, "lexful-write")

    def map(self, fn: Callable[[T], R], items: list[T], *, record_first: bool = False) -> list[Any]:
        """``fn`` over ``items`` on the pool; a record's error is its result, others raise.

        Every call is let finish before a fatal error is raised. With ``record_first`` the
        fatal errors are returned among the results instead (as ``Fatal``), so that the
        caller records in the id map what the other calls did write before it raises.
        """
        if not items:
            return []
        if len(items) == 1 or self._size <= 1:
            outcomes = [_capture(fn, item) for item in items]
        else:
            futures = [self._executor.submit(_capture, fn, item) for item in items]
            outcomes = [f.result() for f in futures]
        fatal = next((o for o in outcomes if isinstance(o, Fatal)), None)
        if fatal is not None and not record_first:
            raise fatal.error
        return outcomes

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def cancel(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _capture(fn: Callable[[T], R], item: T) -> R | RecordError | Fatal:
    try:
        return fn(item)
    except RecordError as exc:
        return exc
    except LexfulHTTPError as exc:
        if rejectable(exc):
            return RecordError(exc.message, exc.status)
        return Fatal(exc)
    except Exception as exc:
        return Fatal(exc)
