"""The answers routes give: JSON, no content, the list envelope (errors: ``common.errors``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lexful_sandbox.common import variants
from lexful_sandbox.common.util import dumps, loads
from lexful_sandbox.http.deps import Caller, sandbox_state
from lexful_sandbox.storage.query import ListQuery

JSON = "application/json"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON)


def no_content() -> Response:
    return Response(status_code=204)


def deleted(request: Request, caller: Caller, table: str | None, record_id: str) -> Response:
    """A DELETE's answer: 204 [A]; with the ``delete-200`` variant, 200 and the record."""
    if not sandbox_state(request).variant(variants.DELETE_200):
        return no_content()
    if table is None:  # a link has no record of its own: the linked asset's id
        return json_response({"asset_id": record_id})
    doc = caller.store.get(table, caller.account_id, record_id, include_deleted=True)
    return json_response(doc if doc is not None else {"id": record_id})


def select(doc: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: doc.get(name) for name in names}


def envelope(docs: list[str], total: int, q: ListQuery) -> Response:
    """The list envelope built from stored JSON text, without decoding unless fields= asks."""
    if q.fields:
        docs = [dumps(select(loads(d), q.fields)).decode() for d in docs]
    body = f'{{"items":[{",".join(docs)}],"total":{total},"limit":{q.limit},"offset":{q.offset}}}'
    return Response(body.encode(), media_type=JSON)
