"""What routes are handed: the authenticated ``Actor`` and, for writes, the parsed body with
``Idempotency-Key`` handled once for every create and update.

    @authenticated("accounts:read")
    async def retrieve(request: Request, actor: Actor) -> Response: ...

    @writer("accounts:create", "accounts.create")
    def create(request: Request, actor: Actor, body: Any) -> Response: ...
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lightfield_api import contract
from lightfield_sandbox.common.errors import LightfieldError, bad_request, conflict
from lightfield_sandbox.http.state import LightfieldState
from lightfield_sandbox.resources.actor import Actor
from sandbox_core.bodies import parse_json, read_body, server_state

Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Request, Actor], Awaitable[Response]]
WriteHandler = Callable[[Request, Actor, Any], Response]


def state_of(request: Request) -> LightfieldState:
    state = server_state(request)
    assert isinstance(state, LightfieldState)  # set by app.build_app
    return state


def _check_version(request: Request) -> None:
    version = request.headers.get(contract.VERSION_HEADER)
    if version is None and not contract.VERSION_REQUIRED:
        return
    if version not in contract.KNOWN_VERSIONS:
        msg = f"send {contract.VERSION_HEADER}: {contract.API_VERSION}"
        raise bad_request(msg, contract.VERSION_HEADER_CODE, contract.VERSION_HEADER)


def authenticate(request: Request, scope: str | None) -> Actor:
    """401 without a known key; 400 for an unknown API version; 403 without the scope."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LightfieldError(401, "missing API key: send Authorization: Bearer <key>")
    state = state_of(request)
    key = state.store.key(token.strip())
    if key is None:
        raise LightfieldError(401, "invalid API key")
    _check_version(request)
    if scope and key.scopes and scope not in key.scopes:
        raise LightfieldError(403, f"this API key lacks the {scope} scope")
    return Actor(state.store, key.workspace_id, key.member_id)


def authenticated(scope: str | None) -> Callable[[Handler], Endpoint]:
    """The Starlette endpoint of a read route: authenticate, then hand over the Actor."""

    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            return await handler(request, authenticate(request, scope))

        return endpoint

    return wrap


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get(contract.IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= contract.IDEMPOTENCY_KEY_MAX:
        msg = (
            f"{contract.IDEMPOTENCY_HEADER} must be 1 to {contract.IDEMPOTENCY_KEY_MAX} characters"
        )
        raise bad_request(msg, contract.INVALID_VALUE, contract.IDEMPOTENCY_HEADER)
    return key


def _replay(status: int, body: bytes) -> Response:
    headers = {contract.IDEMPOTENT_REPLAY_HEADER: "true"}
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _answer_once(
    request: Request, actor: Actor, operation: str, raw: bytes, run: Callable[[], Response]
) -> Response:
    """Run a write once per idempotency key: the same key replays the first answer, whatever
    the request (contract.IDEMPOTENCY_REUSE_REPLAYS); a failed first answer is not remembered."""
    key = _idempotency_key(request)
    if key is None:
        return run()
    state = state_of(request)
    fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + raw).hexdigest()
    since = state.clock.now_ms() - contract.IDEMPOTENCY_TTL_S * 1000
    seen = actor.store.remembered(actor.workspace_id, operation, key, since)
    if seen is not None and (seen[0] == fingerprint or contract.IDEMPOTENCY_REUSE_REPLAYS):
        return _replay(seen[1], seen[2])
    slot = (actor.workspace_id, operation, key)
    if slot in state.in_flight:
        raise conflict(
            "a request with this Idempotency-Key is in progress", contract.IDEMPOTENCY_CONFLICT
        )
    state.in_flight.add(slot)
    try:
        response = run()
    finally:
        state.in_flight.discard(slot)
    if response.status_code < 400:
        actor.store.remember(
            actor.workspace_id,
            operation,
            key,
            fingerprint,
            response.status_code,
            bytes(response.body),
        )
    return response


def writer(
    scope: str, operation: str, *, body_required: bool = True
) -> Callable[[WriteHandler], Endpoint]:
    """The endpoint of a create or update: authenticate, read the JSON body, honour the key."""

    def wrap(handler: WriteHandler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            actor = authenticate(request, scope)
            raw = await read_body(request)
            body = parse_json(raw) if raw.strip() or body_required else {}
            return _answer_once(
                request, actor, operation, raw, lambda: handler(request, actor, body)
            )

        return endpoint

    return wrap
