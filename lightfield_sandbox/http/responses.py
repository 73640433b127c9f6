"""The answers routes give: a JSON body, and the list envelope of one page."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from lightfield_api import contract
from lightfield_sandbox.common import variants
from sandbox_core.codec import dumps


def json_response(body: Any, status: int = 200) -> Response:
    if variants.active(variants.SPARSE_FIELDS) and status < 400:
        body = _sparse(body)
    return Response(dumps(body), status_code=status, media_type="application/json")


def _sparse(body: Any) -> Any:
    """A record (or each of a list's) without its unset fields and empty relationships: the
    ``sparse-fields`` variant of [A contract.ALL_KEYS_PRESENT]."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return {**body, "data": [_sparse(item) for item in body["data"]]}
    if not isinstance(body, dict):
        return body
    out = dict(body)
    fields = body.get("fields")
    if isinstance(fields, dict):
        out["fields"] = {
            k: v
            for k, v in fields.items()
            if not (isinstance(v, dict) and v.get("value") in (None, []))
        }
    relationships = body.get("relationships")
    if isinstance(relationships, dict):
        out["relationships"] = {
            k: v
            for k, v in relationships.items()
            if not (isinstance(v, dict) and not v.get("values") and "directions" not in v)
        }
    return out


def page(data: list[Any], total: int) -> Response:
    return json_response(contract.envelope(data, total))
