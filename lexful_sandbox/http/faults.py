"""Injected faults and request accounting, as an ASGI middleware around the whole app."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from lexful_sandbox.common.errors import error_body
from lexful_sandbox.common.util import dumps

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

Hook = Callable[[str, str, dict[str, str]], Any]


class HookAnswer(Exception):
    """Raised by a test hook: the request is answered with this status, in the API's shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


EXEMPT_PREFIX = "/_admin"


@dataclass
class Faults:
    """What a running sandbox injects (latency, errors, drops, a rate limit); its token lifetime."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit: float = 0.0  # requests per second; 0 means no limit
    drop_rate: float = 0.0
    token_ttl: float = 3600.0

    def update(self, **changes: Any) -> None:
        known = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key not in known:
                msg = f"unknown fault {key!r}; known: {', '.join(sorted(known))}"
                raise TypeError(msg)
            if value is not None:
                setattr(self, key, float(value))


class Stats:
    """What the sandbox answered: requests seen, connections dropped and responses by status."""

    def __init__(self) -> None:
        self.requests = 0
        self.dropped = 0
        self.by_status: dict[int, int] = {}

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "dropped": self.dropped,
            "by_status": dict(self.by_status),
        }


class FaultMiddleware:
    """Latency (non-blocking), 429 past a budget, dropped connections and 5xx answers."""

    def __init__(
        self, app: ASGIApp, faults: Faults, stats: Stats, hooks: list[Hook], seed: int = 0
    ) -> None:
        self.app = app
        self.faults = faults
        self.stats = stats
        self.hooks = hooks
        self.rng = random.Random(seed)
        self._window = 0
        self._count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        self.stats.requests += 1
        recording = self._recorder(send)
        if not await self._run_hooks(scope, recording):
            return
        if await self._inject(send, recording):
            return
        await self.app(scope, receive, recording)

    async def _run_hooks(self, scope: Scope, send: Send) -> bool:
        """Run the test hooks; a failing hook answers 500 in the API's error shape."""
        if not self.hooks:
            return True
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            for hook in list(self.hooks):
                hook(scope["method"], scope["path"], query)
        except HookAnswer as answer:
            await _respond(send, answer.status, error_body(answer.status, answer.message), {})
            return False
        except Exception as exc:  # a test hook must not kill the connection
            await _respond(send, 500, error_body(500, f"hook failed: {exc!r}"), {})
            return False
        return True

    def _recorder(self, send: Send) -> Send:
        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            await send(message)

        return recording

    async def _inject(self, raw_send: Send, send: Send) -> bool:
        """Apply the faults; True when the request was answered (or dropped) here."""
        f = self.faults
        if f.latency_ms or f.jitter_ms:
            await asyncio.sleep((f.latency_ms + self.rng.uniform(0, f.jitter_ms)) / 1000)
        if f.drop_rate and self.rng.random() < f.drop_rate and self._drop(raw_send):
            return True
        if f.rate_limit and self._over_budget(f.rate_limit):
            retry = max(1, int(self._window + 1 - time.monotonic() + 0.999))
            body = error_body(429, f"rate limit of {f.rate_limit:g} requests per second exceeded")
            await _respond(send, 429, body, {"retry-after": str(retry)})
            return True
        if f.error_rate and self.rng.random() < f.error_rate:
            status = self.rng.choice((500, 502, 503))
            await _respond(send, status, error_body(status, "injected fault"), {})
            return True
        return False

    def _over_budget(self, budget: float) -> bool:
        window = int(time.monotonic())
        if window != self._window:
            self._window, self._count = window, 0
        self._count += 1
        return self._count > budget

    def _drop(self, send: Send) -> bool:
        """Close the socket without an answer, through uvicorn's protocol object."""
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if cycle is None or transport is None:
            return False
        self.stats.dropped += 1
        transport.close()
        cycle.disconnected = True  # tell uvicorn not to send its own 500
        return True


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = dumps(body)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
