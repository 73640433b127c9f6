"""``running_sandbox``: the sandbox for tests and benchmarks, in a thread or a child process."""

from __future__ import annotations

import json
import subprocess as sp
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from lexful_sandbox.http.faults import Faults, Hook
from lexful_sandbox.http.server import Options, api_url, bind, make_server, prepare
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.resources import accounts
from lexful_sandbox.storage.store import Store


class Sandbox:
    """Credentials of the first account plus control of the running server."""

    def __init__(self, config: dict[str, str]) -> None:
        self.config = dict(config)
        self.api_url = config["api_url"]
        self.account_id = config["account_id"]
        self.api_key_id = config["api_key_id"]
        self.api_key_secret = config["api_key_secret"]

    def new_account(self) -> dict[str, str]:
        raise NotImplementedError

    def set_faults(self, **faults: Any) -> None:
        raise NotImplementedError

    def add_hook(self, fn: Hook) -> None:
        raise NotImplementedError

    def stats(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def store(self) -> Store:
        raise NotImplementedError


class InProcessSandbox(Sandbox):
    """A sandbox served from a thread of this process, controlled through its state directly."""

    def __init__(self, config: dict[str, str], sb: SandboxState) -> None:
        super().__init__(config)
        self._sb = sb

    def new_account(self) -> dict[str, str]:
        return accounts.credentials(accounts.create_account(self._sb.store), self.api_url)

    def set_faults(self, **faults: Any) -> None:
        self._sb.faults.update(**faults)

    def add_hook(self, fn: Hook) -> None:
        self._sb.hooks.append(fn)

    def stats(self) -> dict[str, Any]:
        return self._sb.stats.snapshot()

    @property
    def store(self) -> Store:
        return self._sb.store


class SubprocessSandbox(Sandbox):
    """Control goes through the /_admin endpoints (the child runs with --admin)."""

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, self.api_url + path, json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def new_account(self) -> dict[str, str]:
        credentials: dict[str, str] = self._admin("POST", "/_admin/accounts")
        return credentials

    def set_faults(self, **faults: Any) -> None:
        Faults().update(**faults)  # fail here, in the caller, on an unknown name
        self._admin("POST", "/_admin/faults", faults)

    def stats(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = self._admin("GET", "/_admin/stats")
        snapshot["by_status"] = {int(k): v for k, v in snapshot["by_status"].items()}
        return snapshot

    def add_hook(self, fn: Hook) -> None:
        msg = "hooks run in the server process; use running_sandbox(subprocess=False)"
        raise NotImplementedError(msg)

    @property
    def store(self) -> Store:
        msg = "the store lives in the child process; use running_sandbox(subprocess=False)"
        raise NotImplementedError(msg)


@contextmanager
def running_sandbox(
    seed: str = "none",
    *,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    error_rate: float = 0.0,
    rate_limit: float = 0.0,
    drop_rate: float = 0.0,
    token_ttl: float = 3600.0,
    seed_scale: int = 0,
    seed_random: int = 1,
    db: str | None = None,
    host: str = "127.0.0.1",
    subprocess: bool = False,
) -> Iterator[Sandbox]:
    faults = Faults(latency_ms, jitter_ms, error_rate, rate_limit, drop_rate, token_ttl)
    options = Options(host, 0, db, seed, seed_scale, seed_random, admin=subprocess, faults=faults)
    runner = _child if subprocess else _thread
    with runner(options) as sandbox:
        yield sandbox


@contextmanager
def _thread(options: Options) -> Iterator[Sandbox]:
    sb, account = prepare(options)
    sock = bind(options.host, 0)
    server = make_server(sb)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="lexful-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    try:
        yield InProcessSandbox(accounts.credentials(account, api_url(sock)), sb)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        sb.store.close()


def _child_args(options: Options) -> list[str]:
    f = options.faults
    args = [sys.executable, "-m", "lexful_sandbox.cli", "serve", "--admin"]
    args += ["--host", options.host, "--port", str(options.port), "--seed", options.seed]
    args += ["--seed-scale", str(options.seed_scale), "--seed-random", str(options.seed_random)]
    args += ["--latency-ms", str(f.latency_ms), "--jitter-ms", str(f.jitter_ms)]
    args += ["--error-rate", str(f.error_rate), "--rate-limit", str(f.rate_limit)]
    args += ["--drop-rate", str(f.drop_rate), "--token-ttl", str(f.token_ttl)]
    return args + (["--db", options.db] if options.db else [])


@contextmanager
def _child(options: Options) -> Iterator[Sandbox]:
    child = sp.Popen(_child_args(options), stdout=sp.PIPE, text=True)
    try:
        line = child.stdout.readline() if child.stdout else ""
        if not line:
            msg = f"lexful-sandbox exited before printing its credentials (code {child.wait()})"
            raise RuntimeError(msg)
        yield SubprocessSandbox(json.loads(line))
    finally:
        child.terminate()
        try:
            child.wait(10)
        except sp.TimeoutExpired:
            child.kill()
            child.wait()
