"""A tiny HTTP proxy on loopback that records what it is given: the proxy a test configures.

An absolute-URI request (``GET http://host:port/path``) is forwarded to its host (loopback
only here) with ``Connection: close``; a ``CONNECT host:port`` is answered 200 and what the
client then sends (a TLS hello) is recorded, not tunnelled. Each request's line, headers and
every byte the client sent are kept, so that a test can say what the proxy saw.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Through:
    """One request the proxy was given."""

    method: str
    target: str
    headers: dict[str, str]
    received: bytearray = field(default_factory=bytearray)  # all of it, head and body


def _head(sock: socket.socket, into: bytearray) -> bytes:
    """Bytes up to the end of the head (``into`` gets everything read, head or not)."""
    while b"\r\n\r\n" not in into:
        chunk = sock.recv(65536)
        if not chunk:
            break
        into += chunk
    head, _, _ = bytes(into).partition(b"\r\n\r\n")
    return head


def _parse(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" "), "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return method, target, headers


class RecordingProxy:
    def __init__(self) -> None:
        self.seen: list[Through] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                received = bytearray()
                head = _head(sock, received)
                if not head:
                    return
                method, target, headers = _parse(head)
                through = Through(method, target, headers, received)
                proxy.seen.append(through)
                if method == "CONNECT":
                    sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    sock.settimeout(2)
                    with contextlib.suppress(OSError):
                        received += sock.recv(65536)  # the TLS hello; then hang up
                    return
                proxy._forward(sock, through)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _forward(self, client: socket.socket, through: Through) -> None:
        parts = urlsplit(through.target)
        if parts.hostname != "127.0.0.1":
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [
            f"{name}: {value}"
            for name, value in through.headers.items()
            if name and not name.lower().startswith("proxy-") and name.lower() != "connection"
        ]
        head = "\r\n".join([f"{through.method} {path} HTTP/1.1", *kept, "Connection: close"])
        rest = bytes(through.received).partition(b"\r\n\r\n")[2]
        upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=30)
        upstream.sendall(head.encode("latin-1") + b"\r\n\r\n" + rest)

        def pump() -> None:  # the rest of the request body (a streamed upload)
            with contextlib.suppress(OSError):
                while chunk := client.recv(65536):
                    through.received += chunk
                    upstream.sendall(chunk)

        threading.Thread(target=pump, daemon=True).start()
        answer = bytearray()
        answer_head = _head(upstream, answer)
        body = bytes(answer)[len(answer_head) + 4 :]
        lines = [
            line
            for line in answer_head.split(b"\r\n")
            if not line.lower().startswith(b"connection:")
        ]
        client.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
        with contextlib.suppress(OSError):
            while chunk := upstream.recv(65536):
                client.sendall(chunk)
        upstream.close()

    def targets(self) -> list[str]:
        return [f"{t.method} {t.target}" for t in self.seen]

    def all_received(self) -> bytes:
        return b"".join(bytes(t.received) for t in self.seen)


@contextlib.contextmanager
def recording_proxy() -> Iterator[RecordingProxy]:
    proxy = RecordingProxy()
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
