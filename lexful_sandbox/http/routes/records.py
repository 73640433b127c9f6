"""Handlers that resources stored as plain records share: a list page, one record by id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from lexful_sandbox.common.errors import not_found
from lexful_sandbox.http.deps import Caller
from lexful_sandbox.http.responses import envelope, json_response
from lexful_sandbox.http.variant_layer import list_query
from lexful_sandbox.storage.query import parse_flag

BASE_COLUMNS = {c: c for c in ("id", "created_at", "updated_at", "deleted_at")}
NAMED_COLUMNS = {**BASE_COLUMNS, "name": "name"}


def list_page(
    request: Request,
    caller: Caller,
    table: str,
    kinds: dict[str, str],
    columns: dict[str, str],
    *,
    partial: frozenset[str] = frozenset(),
    expand: frozenset[str] = frozenset(),
) -> Response:
    """One page of a table's records of the caller's account, as the query string asks."""
    q = list_query(request, kinds, columns, partial=partial, expand=expand)
    total, docs = caller.store.list_records(table, caller.account_id, q)
    return envelope(docs, total, q)


def one_record(request: Request, caller: Caller, table: str, label: str) -> Response:
    """GET one record by id, with ``include_deleted``; 404 naming what was not found."""
    deleted = parse_flag(request.query_params.get("include_deleted"), "include_deleted")
    record_id = request.path_params["id"]
    doc = caller.store.get(table, caller.account_id, record_id, include_deleted=deleted)
    if doc is None:
        raise not_found(f"{label} {record_id}")
    return json_response(doc)
