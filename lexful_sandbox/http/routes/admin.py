"""``/_admin``: faults, statistics and new accounts, for a sandbox in a child process.

Only with ``--admin``; no auth, and exempt from faults and statistics (``http.faults``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.common.errors import ApiError
from lexful_sandbox.http.deps import json_body, sandbox_state
from lexful_sandbox.http.responses import json_response
from lexful_sandbox.resources import accounts


async def admin_faults(request: Request) -> Response:
    body = await json_body(request)
    try:
        sandbox_state(request).faults.update(**body)
    except TypeError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(vars(sandbox_state(request).faults))


async def admin_stats(request: Request) -> Response:
    return json_response(sandbox_state(request).stats.snapshot())


async def admin_account(request: Request) -> Response:
    account = accounts.create_account(sandbox_state(request).store)
    return json_response(accounts.credentials(account, str(request.base_url).rstrip("/")), 201)


def routes() -> list[Route]:
    return [
        Route("/_admin/faults", admin_faults, methods=["POST"]),
        Route("/_admin/stats", admin_stats, methods=["GET"]),
        Route("/_admin/accounts", admin_account, methods=["POST"]),
    ]
