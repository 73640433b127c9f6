"""``GET /v1/entities/counts``: the API's own count of assets per type per organization [D]."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lexful_sandbox.common.errors import bad_request
from lexful_sandbox.http.deps import Caller, authenticated
from lexful_sandbox.http.responses import json_response

PARAMS = frozenset({"entity_type", "organization_id"})


@authenticated
async def entity_counts(request: Request, caller: Caller) -> Response:
    """``{<type name>: {display_name, is_system, counts: {<organization id>: n}}}``: live
    (not deleted) assets; an organization without any is left out [A]. ``entity_type`` names
    one type (400 if the account has none of that name [A]); ``organization_id`` one org."""
    for key in request.query_params:
        if key not in PARAMS:
            raise bad_request(f"unknown query parameter {key!r}", key)
    wanted = request.query_params.get("entity_type")
    org = request.query_params.get("organization_id")
    store, account = caller.store, caller.account_id
    types = store.find("asset_types", account, "deleted_at IS NULL ORDER BY name")
    if wanted:
        types = [t for t in types if t["name"] == wanted]
        if not types:
            raise bad_request(f"entity_type: no entity type named {wanted!r}", "entity_type")
    sql = (
        "SELECT type, organization_id, COUNT(*) FROM assets "
        "WHERE account_id = ? AND deleted_at IS NULL"
    )
    values: list[Any] = [account]
    if org:
        sql += " AND organization_id = ?"
        values.append(org)
    counts: dict[str, dict[str, int]] = {}
    for type_name, org_id, n in store.query(sql + " GROUP BY type, organization_id", values):
        counts.setdefault(type_name, {})[org_id] = n
    body = {
        t["name"]: {
            "display_name": t.get("display_name"),
            "is_system": bool(t.get("is_system")),
            "counts": counts.get(t["name"], {}),
        }
        for t in types
    }
    return json_response(body)


def routes() -> list[Route]:
    return [Route("/v1/entities/counts", entity_counts, methods=["GET"])]
