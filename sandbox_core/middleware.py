"""The fault layer: hooks, latency, dropped connections, the rate budget and injected 5xx.

One ASGI middleware around a profile's whole app. Order per request: hooks, then latency,
then drop, then the rate budget (429), then 5xx. ``/_admin`` is exempt from all of it and
from the statistics, so a test can always reach the controls.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from sandbox_core.codec import dumps
from sandbox_core.errors import ApiError, Renderer
from sandbox_core.faults import READ_METHODS, HookAnswer
from sandbox_core.ratelimit import Verdict
from sandbox_core.state import ServerState

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

EXEMPT_PREFIX = "/_admin"

# Which budget a request counts against (Lexful: the whole server; Lightfield: the key and
# the rate category); None: the request is not rate limited at all.
RateKey = Callable[["Scope"], "str | None"]


def whole_server(_scope: Scope) -> str:
    return "server"


class FaultMiddleware:
    """Latency (non-blocking), 429 past a budget, dropped connections and 5xx answers."""

    def __init__(
        self,
        app: ASGIApp,
        state: ServerState,
        render: Renderer,
        rate_key: RateKey = whole_server,
        *,
        rate_headers: bool = False,
        seed: int = 0,
    ) -> None:
        self.app = app
        self.state = state
        self.render = render
        self.rate_key = rate_key
        self.rate_headers = rate_headers
        self.rng = random.Random(seed)  # seeded: a run of injected faults is repeatable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        self.state.stats.requests += 1
        if scope["method"] not in READ_METHODS and scope["path"] not in self.state.NOT_WRITES:
            self.state.stats.writes += 1
        recording = self._recorder(scope, send)
        if not await self._run_hooks(scope, recording):
            return
        if await self._inject(scope, send, recording):
            return
        await self.app(scope, receive, recording)

    async def _run_hooks(self, scope: Scope, send: Send) -> bool:
        """Run the test hooks; a failing hook answers 500 in the API's error shape."""
        if not self.state.hooks:
            return True
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            for hook in list(self.state.hooks):
                hook(scope["method"], scope["path"], query)
        except HookAnswer as answer:
            await self._error(send, answer.status, answer.message)
            return False
        except Exception as exc:  # a test hook must not kill the connection
            await self._error(send, 500, f"hook failed: {exc!r}")
            return False
        return True

    def _recorder(self, scope: Scope, send: Send) -> Send:
        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.state.stats.count(message["status"])
                extra = self._rate_headers(scope.get("rate_verdict"))
                if extra:  # the app's own answer carries the budget it was counted against
                    encoded = [(k.encode(), v.encode()) for k, v in extra.items()]
                    message = {**message, "headers": [*message.get("headers", []), *encoded]}
            await send(message)

        return recording

    async def _inject(self, scope: Scope, raw_send: Send, send: Send) -> bool:
        """Apply the faults; True when the request was answered (or dropped) here.

        A request within its budget goes on with ``scope["rate_verdict"]`` set, so that the
        answer can carry the rate headers.
        """
        f = self.state.faults
        if f.latency_ms or f.jitter_ms:
            await asyncio.sleep((f.latency_ms + self.rng.uniform(0, f.jitter_ms)) / 1000)
        if f.drop_rate and self.rng.random() < f.drop_rate and self._drop(raw_send):
            return True
        verdict = self._budget(scope)
        if verdict is not None and not verdict.allowed:
            headers = {"retry-after": str(verdict.retry_after), **self._rate_headers(verdict)}
            message = f"rate limit of {f.rate_limit:g} requests per second exceeded"
            await self._error(send, 429, message, headers)
            return True
        if f.error_rate and self.rng.random() < f.error_rate:
            status = self.rng.choice((500, 502, 503))
            await self._error(send, status, "injected fault", self._rate_headers(verdict))
            return True
        scope["rate_verdict"] = verdict
        return False

    def _budget(self, scope: Scope) -> Verdict | None:
        limit = self.state.faults.rate_limit
        key = self.rate_key(scope) if limit else None
        if key is None:
            return None
        return self.state.budget.take(key, limit, self.state.clock.now())

    def _rate_headers(self, verdict: Verdict | None) -> dict[str, str]:
        return verdict.headers() if verdict is not None and self.rate_headers else {}

    def _drop(self, send: Send) -> bool:
        """Close the socket without an answer, through uvicorn's protocol object."""
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if cycle is None or transport is None:
            return False
        self.state.stats.dropped += 1
        transport.close()
        cycle.disconnected = True  # tell uvicorn not to send its own 500
        return True

    async def _error(
        self, send: Send, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        body = self.render(ApiError(status, message))
        await respond(send, status, body, headers or {})


async def respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    """A whole JSON answer sent straight through ASGI (no app behind it)."""
    payload = dumps(body)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
