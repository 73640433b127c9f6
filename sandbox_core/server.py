"""Serve an ASGI app with uvicorn on a socket bound before the server starts (port 0 works)."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import uvicorn


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)  # listen now: connections made before uvicorn starts wait in the backlog
    sock.set_inheritable(True)
    return sock


def api_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(app: Any) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level=logging.WARNING,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


def serve_forever(app: Any, sock: socket.socket, first_line: dict[str, Any]) -> None:
    """What a ``<profile>-sandbox serve`` does once ready: print one JSON line, then serve.

    The line is flushed at once: whoever started the process reads it to know where the
    sandbox is and how to authenticate (``harness.serve_in_child``).
    """
    print(json.dumps(first_line), flush=True)
    make_server(app).run(sockets=[sock])
