"""The API's error answers: Fastify's shape, ``{statusCode, error, message, details?}``."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from connector_core.sandbox.errors import ApiError as CoreError


class ApiError(CoreError):
    """Raised anywhere in a handler; the app turns it into the error body (with ``details``)."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers)
        self.details = details


def render(error: CoreError) -> dict[str, Any]:
    """Any error of the core (a 429, a 413, an injected 5xx) or ours, in Lexful's shape."""
    return error_body(error.status, error.message, getattr(error, "details", None))


def error_body(status: int, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
    }
    if details:
        body["details"] = details
    return body


def bad_request(message: str, field: str | None = None) -> ApiError:
    details = [{"field": field, "message": message}] if field else None
    return ApiError(400, message, details)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def conflict(message: str, field: str | None = None) -> ApiError:
    details = [{"field": field, "message": message}] if field else None
    return ApiError(409, message, details)
