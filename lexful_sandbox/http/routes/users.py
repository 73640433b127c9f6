"""Users: read only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.http.deps import Caller, authenticated
from lexful_sandbox.http.routes.records import BASE_COLUMNS, list_page
from lexful_sandbox.resources.fields import USER_FIELDS

# Bare ``email=...`` and the names match substrings; bracket forms stay exact.
PARTIAL = frozenset({"email", "first_name", "last_name"})


@authenticated
async def list_users(request: Request, caller: Caller) -> Response:
    return list_page(request, caller, "users", USER_FIELDS, BASE_COLUMNS, partial=PARTIAL)


def routes() -> list[Route]:
    return [Route("/v1/users", list_users, methods=["GET"])]
