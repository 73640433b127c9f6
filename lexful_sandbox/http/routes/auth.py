"""``POST /v1/auth/token``: an API key for a bearer token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.common import variants
from lexful_sandbox.common.errors import ApiError, bad_request
from lexful_sandbox.http import tokens
from lexful_sandbox.http.deps import json_body, sandbox_state
from lexful_sandbox.http.responses import json_response


async def token(request: Request) -> Response:
    """The one API route without a bearer token: it checks the API key instead."""
    sb = sandbox_state(request)
    account_id = request.headers.get("x-account-id")
    if not account_id:
        raise ApiError(403, "missing X-Account-ID header")
    body = await json_body(request)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("id", "secret")
    ):
        raise bad_request('expected {"id": API key id, "secret": API key secret}')
    account = sb.store.account_by_key(body["id"])
    if account is None or account.key_secret != body["secret"]:
        raise tokens.unauthorized("invalid API key id or secret")
    if account.id != account_id.strip():
        raise ApiError(403, "X-Account-ID does not match the API key's account")
    claims = tokens.Claims(account.id, account.user_id)
    answer = tokens.issue(sb.signing_key, claims, sb.faults.token_ttl)
    if sb.variant(variants.OAUTH_TOKEN):
        answer = {"access_token": answer["token"], "expires_in": answer["expires_in"]}
    return json_response(answer)


def routes() -> list[Route]:
    return [Route("/v1/auth/token", token, methods=["POST"])]
