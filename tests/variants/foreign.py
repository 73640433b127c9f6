"""Servers that are not the API: a web server's HTML page, and one that answers too late.

A probe pointed at either (a wrong ``api_url``) must say so in one row and exit non-zero,
within its small request budget.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = b"<html><head><title>Welcome to nginx!</title></head><body>nginx</body></html>"
SLOW_S = 30.0


@contextmanager
def foreign_server(kind: str) -> Iterator[tuple[str, list[str]]]:
    """``(url, paths asked)`` of a server answering ``200 text/html`` ("html") or answering
    after ``SLOW_S`` seconds ("slow")."""
    asked: list[str] = []
    released = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            asked.append(self.path)
            if kind == "slow":
                released.wait(SLOW_S)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(HTML)))
                self.end_headers()
                self.wfile.write(HTML)
            except OSError:
                pass  # the client gave up waiting

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        released.set()
        server.shutdown()
        server.server_close()
