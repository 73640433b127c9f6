"""Emails: ``GET /v1/emails`` (no ``$body``), ``GET|DELETE /v1/emails/{id}``,
``POST /v1/emails/log`` and ``POST /v1/emails/{id}/restore``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lightfield_api import contract
from lightfield_sandbox.http.deps import authenticated, state_of, writer
from lightfield_sandbox.http.responses import json_response, page
from lightfield_sandbox.resources import emails, query
from lightfield_sandbox.resources.actor import Actor


@authenticated("emails:read")
async def list_emails(request: Request, actor: Actor) -> Response:
    docs = actor.store.index_view(actor.workspace_id, emails.KIND, state_of(request).index_cutoff())
    total, data = query.run(docs, request.query_params.multi_items(), {})
    return page([emails.as_read_by(actor, d, listed=True) for d in data], total)


@authenticated("emails:read")
async def retrieve(request: Request, actor: Actor) -> Response:
    return json_response(emails.as_read_by(actor, emails.get(actor, request.path_params["id"])))


@writer("emails:create", "emails.log")
def log(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(emails.log(actor, body), contract.CREATE_STATUS)


@authenticated("emails:delete")
async def delete(request: Request, actor: Actor) -> Response:
    return json_response(emails.as_read_by(actor, emails.delete(actor, request.path_params["id"])))


@writer("emails:restore", "emails.restore", body_required=False)
def restore(request: Request, actor: Actor, body: Any) -> Response:
    return json_response(emails.as_read_by(actor, emails.restore(actor, request.path_params["id"])))


def routes() -> list[Route]:
    return [
        Route("/v1/emails", list_emails, methods=["GET"]),
        Route(contract.EMAIL_LOG_PATH, log, methods=["POST"]),
        Route("/v1/emails/{id}", retrieve, methods=["GET"]),
        Route("/v1/emails/{id}", delete, methods=["DELETE"]),
        Route("/v1/emails/{id}/restore", restore, methods=["POST"]),
    ]
