"""A hostile peer on loopback: an API (or a proxy in front of the sandbox) that misbehaves.

It is the attacker in these tests, not our boundary: a small ``http.server`` whose answers a
test scripts (``route``), that forwards what it does not script to an upstream (the sandbox),
and that records every request it received, so that a test can say what reached it.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterator[bytes] = b""


@dataclass
class Upstream:
    """The sandbox's answer to a forwarded request, which a route may change."""

    status: int
    headers: dict[str, str]
    body: bytes


Route = Callable[[Seen, Callable[[], Upstream]], Answer | None]


class Hostile:
    """``route(seen, forward)`` answers each request: an ``Answer``, or None to forward it."""

    def __init__(self, route: Route | None = None, upstream: str | None = None) -> None:
        self.route = route or (lambda seen, forward: None)
        self.upstream = upstream
        self.seen: list[Seen] = []
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                hostile.seen.append(seen)
                answer = hostile.route(seen, lambda: hostile.forward(seen))
                if answer is None:
                    up = hostile.forward(seen)
                    answer = Answer(up.status, up.headers, up.body)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if isinstance(answer.body, bytes):
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in answer.body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except OSError:
                    pass  # the client hung up: what a cap is for
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, seen: Seen) -> Upstream:
        assert self.upstream is not None
        parts = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        headers = {k: v for k, v in seen.headers.items() if k.lower() not in ("host",)}
        conn.request(seen.method, seen.path, body=seen.body or None, headers=headers)
        response = conn.getresponse()
        body = response.read()
        kept = {
            k: v
            for k, v in response.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        }
        conn.close()
        return Upstream(response.status, kept, body)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]


@contextmanager
def hostile(route: Route | None = None, upstream: str | None = None) -> Iterator[Hostile]:
    server = Hostile(route, upstream)
    server._thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
