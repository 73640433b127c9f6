"""``GET /v1/auth/validate``: the key's access (no scope needed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api.contract import VALIDATE_PATH
from lightfield_sandbox.http.deps import authenticated, state_of
from lightfield_sandbox.http.responses import json_response
from lightfield_sandbox.resources.actor import Actor


@authenticated(None)
async def validate(request: Request, actor: Actor) -> Response:
    token = request.headers["authorization"].partition(" ")[2].strip()
    key = state_of(request).store.key(token)
    scopes = list(key.scopes) if key else []
    body = {"active": True, "scopes": scopes, "subjectType": "user", "tokenType": "api_key"}
    return json_response(body)


def routes() -> list[Route]:
    return [Route(VALIDATE_PATH, validate, methods=["GET"])]
