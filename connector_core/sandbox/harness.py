"""The test harness shape: a running sandbox in a thread or a child process, and its controls.

A profile's ``running_sandbox`` builds its app and state, then calls ``serve_in_thread`` or
``serve_in_child``, and hands the test a ``SandboxBase`` subclass whose control is
``ThreadControl`` (the state is right here) or ``AdminControl`` (through ``/_admin``).
"""

from __future__ import annotations

import json
import subprocess as sp
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import requests

from connector_core.sandbox.faults import Faults, Hook
from connector_core.sandbox.server import api_url, bind, make_server
from connector_core.sandbox.state import ServerState


class Control(Protocol):
    """What a test may do to a running sandbox besides calling its API."""

    def new_account(self) -> dict[str, Any]: ...
    def set_faults(self, **faults: Any) -> None: ...
    def add_hook(self, fn: Hook) -> None: ...
    def stats(self) -> dict[str, Any]: ...
    def freeze_clock(self, at: float | None) -> None: ...
    def store(self) -> Any: ...


class ThreadControl:
    """Controls of a sandbox served from a thread of this process: its state directly."""

    def __init__(
        self, state: ServerState, store: Any, new_account: Callable[[], dict[str, Any]]
    ) -> None:
        self._state = state
        self._store = store
        self._new_account = new_account

    def new_account(self) -> dict[str, Any]:
        return self._new_account()

    def set_faults(self, **faults: Any) -> None:
        self._state.faults.update(**faults)

    def add_hook(self, fn: Hook) -> None:
        self._state.hooks.append(fn)

    def stats(self) -> dict[str, Any]:
        return self._state.stats.snapshot()

    def freeze_clock(self, at: float | None) -> None:
        self._state.clock.freeze(at)

    def store(self) -> Any:
        return self._store


class AdminControl:
    """Controls of a sandbox in a child process (run with --admin): the /_admin endpoints."""

    def __init__(self, url: str, faults_type: type[Faults]) -> None:
        self._url = url
        self._faults_type = faults_type

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, self._url + path, json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def new_account(self) -> dict[str, Any]:
        credentials: dict[str, Any] = self._admin("POST", "/_admin/accounts")
        return credentials

    def set_faults(self, **faults: Any) -> None:
        self._faults_type().update(**faults)  # fail here, in the caller, on an unknown name
        self._admin("POST", "/_admin/faults", faults)

    def stats(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = self._admin("GET", "/_admin/stats")
        snapshot["by_status"] = {int(k): v for k, v in snapshot["by_status"].items()}
        return snapshot

    def freeze_clock(self, at: float | None) -> None:
        self._admin("POST", "/_admin/clock", {"frozen_at": at})

    def add_hook(self, fn: Hook) -> None:
        msg = "hooks run in the server process; use running_sandbox(subprocess=False)"
        raise NotImplementedError(msg)

    def store(self) -> Any:
        msg = "the store lives in the child process; use running_sandbox(subprocess=False)"
        raise NotImplementedError(msg)


class SandboxBase:
    """A running sandbox as a test sees it: its first-line config and its controls.

    Profiles subclass it to name their credentials as attributes and to type ``store``.
    """

    def __init__(self, config: dict[str, Any], control: Control) -> None:
        self.config = dict(config)
        self.api_url: str = config["api_url"]
        self._control = control

    def new_account(self) -> dict[str, Any]:
        """The credentials of a new, empty, isolated account on the same server."""
        return self._control.new_account()

    def set_faults(self, **faults: Any) -> None:
        self._control.set_faults(**faults)

    def add_hook(self, fn: Hook) -> None:
        self._control.add_hook(fn)

    def stats(self) -> dict[str, Any]:
        return self._control.stats()

    def freeze_clock(self, at: float | None) -> None:
        """Stop the sandbox's clock at ``at`` (epoch seconds); ``None`` lets it run again."""
        self._control.freeze_clock(at)


@contextmanager
def serve_in_thread(app: Any, host: str, name: str) -> Iterator[str]:
    """Serve ``app`` from a daemon thread on a free port; yields the API's base URL."""
    sock = bind(host, 0)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)  # readiness poll; the socket already listens, so no request is lost
    try:
        yield api_url(sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def serve_in_child(args: list[str]) -> Iterator[dict[str, Any]]:
    """Run ``args`` (a ``<profile>-sandbox serve``); yields its first stdout line as JSON."""
    child = sp.Popen(args, stdout=sp.PIPE, text=True)
    try:
        line = child.stdout.readline() if child.stdout else ""
        if not line:
            msg = f"{args[2]} exited before printing its first line (code {child.wait()})"
            raise RuntimeError(msg)
        first: dict[str, Any] = json.loads(line)
        yield first
    finally:
        child.terminate()
        try:
            child.wait(10)
        except sp.TimeoutExpired:
            child.kill()
            child.wait()


def fault_flags(faults: Faults) -> list[str]:
    """The command-line flags that start a child with these faults (``cli.add_fault_flags``)."""
    flags: list[str] = []
    for name, value in vars(faults).items():
        flags += ["--" + name.replace("_", "-"), str(value)]
    return flags
