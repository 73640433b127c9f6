"""Users: list, create, update, delete (``transfer_ownership_to``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.http.deps import Caller, authenticated, json_body, read_body
from lexful_sandbox.http.responses import deleted, json_response
from lexful_sandbox.http.routes.records import BASE_COLUMNS, list_page, one_record
from lexful_sandbox.resources import users
from lexful_sandbox.resources.fields import USER_FIELDS
from sandbox_core.bodies import parse_json

# Bare ``email=...`` and the names match substrings; bracket forms stay exact.
PARTIAL = frozenset({"email", "first_name", "last_name"})


@authenticated
async def list_users(request: Request, caller: Caller) -> Response:
    return list_page(request, caller, "users", USER_FIELDS, BASE_COLUMNS, partial=PARTIAL)


@authenticated
async def create_user(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    return json_response(users.create(caller.store, caller.account_id, caller.user_id, body), 201)


@authenticated
async def get_user(request: Request, caller: Caller) -> Response:
    return one_record(request, caller, "users", "user")


@authenticated
async def update_user(request: Request, caller: Caller) -> Response:
    body = await json_body(request)
    user_id = request.path_params["id"]
    doc = users.update(caller.store, caller.account_id, caller.user_id, user_id, body)
    return json_response(doc)


@authenticated
async def delete_user(request: Request, caller: Caller) -> Response:
    raw = await read_body(request)
    body = parse_json(raw) if raw.strip() else None
    user_id = request.path_params["id"]
    users.delete(caller.store, caller.account_id, caller.user_id, user_id, body)
    return deleted(request, caller, "users", user_id)


def routes() -> list[Route]:
    return [
        Route("/v1/users", list_users, methods=["GET"]),
        Route("/v1/users", create_user, methods=["POST"]),
        Route("/v1/users/{id}", get_user, methods=["GET"]),
        Route("/v1/users/{id}", update_user, methods=["PATCH"]),
        Route("/v1/users/{id}", delete_user, methods=["DELETE"]),
    ]
