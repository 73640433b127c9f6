"""The API's error answers, in the documented shape:
``{"status", "message", "error_id", "error_code", "developer_message"}``.

The shape is [D] (the reference's examples on "remove label from organizations" and "delete a
user"); the values of ``error_code`` are [A]: the status's name (``BAD_REQUEST``, ``NOT_FOUND``,
``TOO_MANY_REQUESTS``...). ``developer_message`` says more than ``message`` where there is more
to say: the field a 400 or a 409 is about, when the message does not name it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from sandbox_core.errors import ApiError as CoreError


class ApiError(CoreError):
    """Raised anywhere in a handler; the app turns it into the error body."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers)
        self.field = field


def render(error: CoreError) -> dict[str, Any]:
    """Any error of the core (a 429, a 413, an injected 5xx) or ours, in Lexful's shape."""
    return error_body(error.status, error.message, getattr(error, "field", None))


def error_code(status: int) -> str:
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "ERROR"


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    developer = f"{message} (field: {field})" if field and field not in message else message
    return {
        "status": status,
        "message": message,
        "error_id": str(uuid.uuid4()),
        "error_code": error_code(status),
        "developer_message": developer,
    }


def bad_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, field)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def conflict(message: str, field: str | None = None) -> ApiError:
    return ApiError(409, message, field)
