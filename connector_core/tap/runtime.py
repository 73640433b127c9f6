"""What every stream of one tap run shares: the client and worker pool, and its counters."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from connector_core.http import HttpClient

if TYPE_CHECKING:
    from collections.abc import Callable

PROGRESS_EVERY_S = 10.0
T = TypeVar("T")


@dataclass
class Runtime:
    """The HTTP client (one session, one token, one pace) and the worker pool of a run."""

    client: HttpClient
    max_concurrency: int
    thread_name_prefix: str = "tap"
    pool: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        # Idle workers end when the pool is collected with its tap; no explicit close needed.
        self.pool = ThreadPoolExecutor(
            self.max_concurrency, thread_name_prefix=self.thread_name_prefix
        )

    def window(self) -> int:
        """Requests worth having in flight now: ``max_concurrency``, or where auto is."""
        limit = self.client.concurrency
        return self.max_concurrency if limit is None else limit.limit


class Progress:
    """Counts a stream's records, requests, retries and parents (from any thread); logs a
    progress line at most every 10 s, and the stream's summary at its end."""

    def __init__(self, logger: logging.Logger, name: str) -> None:
        self._logger = logger
        self._name = name
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._logged = self._started
        self.done = 0
        self.expected: int | None = None
        self.requests = 0
        self.retries = 0
        self.parents = 0

    def start(self) -> None:
        with self._lock:
            self._started = self._logged = time.monotonic()

    def requested(self) -> None:
        with self._lock:
            self.requests += 1

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def parent_done(self) -> None:
        with self._lock:
            self.parents += 1

    def expect(self, total: int | None) -> None:
        with self._lock:
            if total is not None and self.expected is None:
                self.expected = total

    def advance(self, count: int) -> None:
        with self._lock:
            self.done += count
            now = time.monotonic()
            if now - self._logged < PROGRESS_EVERY_S:
                return
            self._logged = now
            elapsed = max(now - self._started, 1e-6)
        self._log_progress(self.done / elapsed)

    def summary(
        self,
        *,
        child: bool = False,
        sent: int | None = None,
        walked_for_children: bool = False,
        note: str = "",
    ) -> None:
        """One line: what the stream sent and what it cost.

        ``sent``: the RECORD messages it wrote, after stream maps (a ``__filter__`` drops some);
        the records read are added when they differ. None: what it read (a tap that does not
        count what it writes). ``walked_for_children``: not selected, read only for the
        children of its records: 0 sent, and said so. ``note``: where auto concurrency settled.
        """
        seconds = time.monotonic() - self._started
        read = self.done
        count = 0 if walked_for_children else read if sent is None else sent
        records = f"{count} records"
        if walked_for_children:
            records += f" ({read} read, walked for children)"
        elif count != read:
            records += f" ({read} read)"
        records += f" from {self.parents} parents" if child else ""
        self._logger.info(
            "Stream '%s' done: %s, %d requests, %d retries, %.1f s%s",
            self._name,
            records,
            self.requests,
            self.retries,
            seconds,
            f"; {note}" if note else "",
        )
        if self.retries:  # one line for an outage (a client may log each retry at DEBUG)
            self._logger.warning(
                "Stream '%s': %d requests retried after transient failures (429, 5xx, network)",
                self._name,
                self.retries,
            )

    def _log_progress(self, rate: float) -> None:
        if not self.expected:
            message = "Stream '%s': %d records, %.0f records/s"
            self._logger.info(message, self._name, self.done, rate)
            return
        left = max(self.expected - self.done, 0)
        eta = timedelta(seconds=round(left / rate)) if rate else "?"
        self._logger.info(
            "Stream '%s': %d of %d records (%.0f%%), %.0f records/s, ETA %s",
            self._name,
            self.done,
            self.expected,
            100.0 * self.done / self.expected,
            rate,
            eta,
        )


def wait_for(future: Future[T], progress: Progress) -> T:
    """The future's result; while it takes long (retries, backoff), progress lines go on."""
    while True:
        try:
            return future.result(timeout=PROGRESS_EVERY_S or None)
        except FutureTimeout:
            progress.advance(0)


def run_now(fn: Callable[..., T], *args: Any) -> Future[T]:
    """Run on the calling thread: worker threads never wait on the pool they run in."""
    future: Future[T] = Future()
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # handed to whoever reads the result, as a pool would
        future.set_exception(exc)
    return future
