"""What routes are handed: the server's state, the authenticated ``Caller``, the request body.

As the FastAPI template's ``api/deps.py`` does with ``Depends``, an API route declares what
it needs instead of looking it up: a handler decorated with ``@authenticated`` takes
``(request, caller)``, and the decorator checks the token and the account header once for
every route::

    @authenticated
    async def delete_organization(request: Request, caller: Caller) -> Response:
        organizations.delete(caller.store, caller.account_id, caller.user_id, ...)
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from lexful_sandbox.common import variants
from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.http import tokens
from lexful_sandbox.http.state import SandboxState
from lexful_sandbox.storage.store import Store
from sandbox_core.bodies import MAX_BODY, json_body, read_body, server_state

__all__ = ["MAX_BODY", "Caller", "authenticated", "json_body", "read_body", "sandbox_state"]


@dataclass(frozen=True)
class Caller:
    """Who is calling, and the store of the server they call: an authenticated API request."""

    store: Store
    account_id: str
    user_id: str


Endpoint = Callable[[Request], Awaitable[Response]]
AuthenticatedHandler = Callable[[Request, Caller], Awaitable[Response]]


def sandbox_state(request: Request) -> SandboxState:
    state = server_state(request)
    assert isinstance(state, SandboxState)  # set by app.build_app
    return state


def authenticate(request: Request) -> Caller:
    """401 for a missing, malformed or expired token (403 with the ``expired-403`` variant);
    403 for a missing or foreign account."""
    sb = sandbox_state(request)
    try:
        claims = _claims(request, sb)
    except ApiError as exc:
        if exc.status == 401 and sb.variant(variants.EXPIRED_403):
            raise ApiError(403, exc.message) from None
        raise
    account = request.headers.get("x-account-id")
    if not account:
        raise ApiError(403, "missing X-Account-ID header")
    if account.strip() != claims.account_id or sb.store.account(claims.account_id) is None:
        raise ApiError(403, "X-Account-ID does not match the token's account")
    return Caller(sb.store, claims.account_id, claims.user_id)


def _claims(request: Request, sb: SandboxState) -> tokens.Claims:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise tokens.unauthorized("missing bearer token")
    return tokens.verify(sb.signing_key, token.strip())


def authenticated(handler: AuthenticatedHandler) -> Endpoint:
    """The Starlette endpoint of an API route: authenticate, then hand the handler its Caller."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        return await handler(request, authenticate(request))

    return endpoint
