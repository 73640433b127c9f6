"""The answers routes give: a JSON body, and the list envelope of one page."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from connector_core.sandbox.codec import dumps
from lightfield_api import contract


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def page(data: list[Any], total: int) -> Response:
    return json_response(contract.envelope(data, total))
