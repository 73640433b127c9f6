"""The parts of the hardened HTTP layer that are not the client's loop (``connector_core.http``).

What a peer cannot do through ``HttpClient.request``:

- the environment adds nothing: ``trust_env`` is off, so no ``~/.netrc`` password, no proxy
  from ``HTTP(S)_PROXY``, no CA bundle from ``REQUESTS_CA_BUNDLE`` (a proxy only from an
  explicit ``proxies`` argument: the ``proxy_url`` setting, ``settings.proxies``);
- credentials go only to the API's own origin: a redirect is followed one hop at a time, only
  for GET and HEAD, without the auth once it leaves the origin, and every URL sent without
  auth (a presigned one, or after such a redirect) is checked by a guard first
  (``connector_core.presigned``: no internal address unless it is the API's or listed);
- a request has a total deadline (``timeout_s``: connect, headers and body together, not
  each read), and a body a cap (``max_response_bytes``, counted decompressed: a gzip bomb
  stops at the cap); a streamed body is read through ``iter_body``, which holds both;
- an error body is told through ``connector_core.scrub``: cut short, no secret, one line.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from typing_extensions import override
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.response import BaseHTTPResponse

#: A check of a URL before anything is sent to it; raises ``UrlRefused`` (see ``presigned``).
UrlGuard = Callable[[str], None]
#: 16 MiB: the demo's largest 1000-record page is 238 KB (Lexful system.contact), so about 70
#: times a real page; an answer parses into several times its size in memory (64 MB of
#: ``{"items":[{},{},...]}`` took 1.78 GB), so the cap is also the tap's memory bound.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_PAGES = 100_000
MAX_REDIRECTS = 5
CHUNK = 1 << 16
DEFAULT_PORTS = {"https": 443, "http": 80}


class UrlRefused(Exception):
    """A URL the guard will not let a request reach; the message says why (no query shown)."""


class BodyTooLarge(Exception):
    """A streamed body went over the cap its reader gave (``HttpClient.iter_body``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"over {limit} bytes")
        self.limit = limit


class _Deadline(threading.local):
    at: float | None = None


#: The deadline of the request this thread is sending (``HttpClient`` sets it around a send).
DEADLINE = _Deadline()


class _Watchdog:
    """One thread that shuts each armed socket at its deadline (a timer thread per request
    would cost more than the request's own work); entries are lists, dropped when cancelled."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list[Any]] = []  # [at, seq, sock, fired, cancelled]
        self._seq = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def arm(self, at: float, sock: socket.socket) -> list[Any]:
        entry = [at, next(self._seq), sock, False, False]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadline", daemon=True)
                self._thread.start()
            self._cond.notify()
        return entry

    def disarm(self, entry: list[Any]) -> bool:
        """Cancel ``entry``; whether it had fired (the socket was shut)."""
        with self._cond:
            entry[4] = True
            self._cancelled += 1
            if self._cancelled > 1000 and self._cancelled * 2 > len(self._heap):
                self._heap = [e for e in self._heap if not e[4]]
                heapq.heapify(self._heap)
                self._cancelled = 0
            return bool(entry[3])

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][4]:
                    heapq.heappop(self._heap)
                    self._cancelled = max(0, self._cancelled - 1)
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is None or wait > 0:
                    self._cond.wait(wait)
                    continue
                entry = heapq.heappop(self._heap)
                entry[3] = True
                with contextlib.suppress(OSError):  # already closed
                    entry[2].shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


class _HeadersWithin:
    """While the answer's status line and headers are read, the socket is shut at the
    request's deadline: a peer sending them a byte at a time cannot hold it past it (each
    read alone would be within its timeout)."""

    sock: socket.socket | None

    def _within_deadline(self, read: Callable[[], BaseHTTPResponse]) -> BaseHTTPResponse:
        at, sock = DEADLINE.at, self.sock
        if at is None or sock is None:
            return read()
        entry = _WATCHDOG.arm(at, sock)
        try:
            response = read()
        finally:
            fired = _WATCHDOG.disarm(entry)
        if fired:  # what was read is cut short: not an answer (a timeout, to urllib3)
            msg = "the answer's headers took past the request's deadline"
            raise TimeoutError(msg)
        return response


@contextlib.contextmanager
def headers_within(deadline: float) -> Iterator[None]:
    """The answers' headers of this thread's sends, read within ``deadline`` (monotonic)."""
    DEADLINE.at = deadline
    try:
        yield
    finally:
        DEADLINE.at = None


def _drop_queries(record: logging.LogRecord) -> bool:
    """urllib3 logs each request line at DEBUG with its query: a presigned signature. The
    message is already formatted (``scrub`` cleans each record as it is made)."""
    record.msg = _QUERY.sub("?...", str(record.msg))
    return True


_QUERY = re.compile(r"\?[^\s\"']*")
logging.getLogger("urllib3.connectionpool").addFilter(_drop_queries)


class _Connection(_HeadersWithin, HTTPConnection):
    @override
    def getresponse(self) -> Any:
        return self._within_deadline(super().getresponse)


class _TlsConnection(_HeadersWithin, HTTPSConnection):
    @override
    def getresponse(self) -> Any:
        return self._within_deadline(super().getresponse)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


class _Adapter(HTTPAdapter):
    @override
    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


def hardened_session(
    pool_size: int = 32, proxies: Mapping[str, str] | None = None
) -> requests.Session:
    """A session that takes nothing from the environment: no .netrc, no proxy variables.

    ``proxies`` (scheme -> proxy URL) is the only way a proxy is used. Redirects are never
    followed by the session itself (``HttpClient.request`` follows them hop by hop).
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies = dict(proxies or {})
    adapter = _Adapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the default port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = (parts.hostname or "").rstrip(".")
    return scheme, host, port or DEFAULT_PORTS.get(scheme)


def capped_chunks(
    response: requests.Response, limit: int, deadline: float, timeout_s: float
) -> Iterator[bytes]:
    """The (decompressed) body in chunks; ``BodyTooLarge`` once more than ``limit`` bytes
    came, ``requests.Timeout`` once ``deadline`` (monotonic) has passed. Closes it then.

    Counted after decompression, a chunk at a time: urllib3 (2.6+) inflates only as much as
    is asked for, so a gzip bomb stops at the cap instead of filling memory.
    """
    received = 0
    try:
        for chunk in _chunks(response):
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(limit)
            if time.monotonic() > deadline:
                msg = f"the request took over {timeout_s:g}s (request_timeout_seconds)"
                raise requests.Timeout(msg)
            yield chunk
    except BaseException:
        response.close()
        raise


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it comes: ``read1`` returns what one read brought (``iter_content`` would
    wait for a whole chunk, so a peer sending a byte at a time would hold it past any
    deadline). urllib3's errors as requests' (what ``iter_content`` raises)."""
    raw = response.raw
    while True:
        try:
            chunk = raw.read1(CHUNK, decode_content=True)
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from None
        if not chunk:
            return
        yield chunk


def read_into(response: requests.Response, chunks: Iterator[bytes]) -> None:
    """``chunks`` (a capped read of ``response``) as the response's ``content``."""
    data = b"".join(chunks)
    # What requests itself does once it has read a body (there is no public setter).
    response._content = data
    response._content_consumed = True  # type: ignore[attr-defined]


def bearer_of(response: requests.Response) -> str | None:
    """The bearer token a request was sent with (the one a 401 says went stale)."""
    # types-requests says a response always has its request; requests.Response() starts None.
    request: requests.PreparedRequest | None = response.request
    header = request.headers.get("Authorization", "") if request is not None else ""
    return header.removeprefix("Bearer ") or None


def body_of(response: requests.Response) -> Any:
    """An (error) answer's body: its JSON, else its text."""
    try:
        return response.json()
    except ValueError:
        return response.text


def path_segment(value: object) -> str:
    """One URL path segment from API data, percent-encoded; ``.`` or ``..`` refused (a dot
    segment would climb the path, ``files/../download``, and the HTTP library undoes ``%2E``)."""
    text = quote(str(value), safe="")
    if not text.strip("."):
        msg = f"{text!r} is not an id (a path segment from the API): refused"
        raise ValueError(msg)
    return text
