"""The test harness shape: a running sandbox in a thread or a child process, and its controls.

A profile's ``running_sandbox`` builds its app and state, then calls ``serve_in_thread`` or
``serve_in_child``, and hands the test a ``SandboxBase`` subclass whose control is
``ThreadControl`` (the state is right here) or ``AdminControl`` (through ``/_admin``).
"""

from __future__ import annotations

import json
import subprocess as sp
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import requests

from sandbox_core.faults import Faults, Hook
from sandbox_core.server import api_url, bind, make_server
from sandbox_core.state import ADMIN_TOKEN_HEADER as TOKEN_HEADER
from sandbox_core.state import ServerState


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

    def __init__(self, url: str, faults_type: type[Faults], token: str | None = None) -> None:
        self._url = url
        self._faults_type = faults_type
        # The token the child printed (``serve_in_child`` keeps it, by the child's URL).
        self._token = token or _ADMIN_TOKENS.get(url, "")

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        headers = {TOKEN_HEADER: self._token}
        answer = requests.request(method, self._url + path, json=body, headers=headers, timeout=30)
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


StoreT = TypeVar("StoreT")


class SandboxBase(Generic[StoreT]):
    """A running sandbox as a test sees it: its first-line config and its controls.

    Profiles subclass it as ``SandboxBase[Store]`` with ``store_type = Store`` to name their
    credentials as attributes and get a typed ``store``.
    """

    store_type: ClassVar[type[Any]] = object

    def __init__(self, config: dict[str, Any], control: Control) -> None:
        self.config = dict(config)
        self.api_url: str = config["api_url"]
        self._control = control

    def new_account(self) -> dict[str, str]:
        """The credentials of a new, empty, isolated account on the same server."""
        credentials: dict[str, str] = self._control.new_account()  # the first line's strings
        return credentials

    def set_faults(self, **faults: Any) -> None:
        self._control.set_faults(**faults)

    def add_hook(self, fn: Hook) -> None:
        self._control.add_hook(fn)

    def stats(self) -> dict[str, Any]:
        return self._control.stats()

    def freeze_clock(self, at: float | None) -> None:
        """Stop the sandbox's clock at ``at`` (epoch seconds); ``None`` lets it run again."""
        self._control.freeze_clock(at)

    @property
    def store(self) -> StoreT:
        """Direct access to the data, for tests (in-process sandboxes only)."""
        store = self._control.store()
        assert isinstance(store, self.store_type)  # the control is untyped; check it here
        typed: StoreT = store
        return typed


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
def run_in_thread(
    state: ServerState,
    store: Any,
    app: Any,
    host: str,
    name: str,
    first: Callable[[str], dict[str, Any]],
    new_account: Callable[[str], dict[str, Any]],
) -> Iterator[tuple[dict[str, Any], ThreadControl]]:
    """Serve ``app`` from a thread; yields the first account's config and the controls.

    ``first(url)`` and ``new_account(url)`` give credentials against the URL the server got;
    ``store`` (the profile's, on ``state``) is closed when the sandbox stops, whatever happened.
    """
    try:
        with serve_in_thread(app, host, name) as url:
            yield first(url), ThreadControl(state, store, lambda: new_account(url))
    finally:
        store.close()


#: The admin token of each child sandbox started here, by its URL (``AdminControl`` reads it).
_ADMIN_TOKENS: dict[str, str] = {}


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
        token = first.pop("admin_token", None)  # not a setting of the connectors
        if token:
            _ADMIN_TOKENS[first["api_url"]] = token
        yield first
    finally:
        child.terminate()
        try:
            child.wait(10)
        except sp.TimeoutExpired:
            child.kill()
            child.wait()


def child_args(module: str, options: Any) -> list[str]:
    """``python -m <module> serve --admin`` with one flag per field of the ``Options`` dataclass.

    The inverse of ``cli.options_from``: a field ``seed_random`` becomes ``--seed-random``,
    ``faults`` its fault flags, ``variants`` one ``--variant NAME`` each, and a ``None`` (no
    ``--db``) no flag at all.
    """
    assert is_dataclass(options)
    args = [sys.executable, "-m", module, "serve", "--admin"]
    for f in fields(options):
        value = getattr(options, f.name)
        if f.name == "faults":
            args += fault_flags(value)
        elif f.name == "variants":
            for name in value:
                args += ["--variant", str(name)]
        elif f.name != "admin" and value is not None:  # the child always runs with --admin
            args += ["--" + f.name.replace("_", "-"), str(value)]
    return args


def fault_flags(faults: Faults) -> list[str]:
    """The command-line flags that start a child with these faults (``cli.add_fault_flags``)."""
    flags: list[str] = []
    for name, value in vars(faults).items():
        flags += ["--" + name.replace("_", "-"), str(value)]
    return flags
