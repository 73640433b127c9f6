"""An HTTP server on loopback that counts what it is asked: "not fetched" is 0 requests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVED = b"bytes the counting server serves\n" * 64
ERRORS = {"/gone": 404, "/down": 503}  # path -> the status the counting server answers


class CountingServer:
    """An HTTP server on 127.0.0.1 that records each request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.redirects: dict[str, str] = {}  # path -> Location
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._httpd.server_port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                path = self.path.split("?", 1)[0]
                if path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, body = ERRORS.get(path, 200), SERVED
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass  # the test reads the hits, not stderr

        return Handler
