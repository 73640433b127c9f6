"""Lightfield's error answers: ``{"error": {type, message, code?, param?}}`` (the contract's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common import variants
from sandbox_core.errors import ApiError


class LightfieldError(ApiError):
    """An error with Lightfield's ``code`` (machine-readable) and ``param`` (what was wrong)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message, headers)
        self.code = code
        self.param = param


def render(error: ApiError) -> dict[str, Any]:
    """Any error of the core (429, 413, injected 5xx, Starlette's 404) or ours, in our shape:
    wrapped in ``error`` [D], or flat with the ``errors-unwrapped`` variant."""
    code = getattr(error, "code", None)
    param = getattr(error, "param", None)
    body = contract.error_body(error.status, error.message, code, param)
    if variants.active(variants.ERRORS_UNWRAPPED):
        inner: dict[str, Any] = body["error"]
        return inner
    return body


def bad_request(message: str, code: str | None = None, param: str | None = None) -> ApiError:
    return LightfieldError(400, message, code, param)


def unprocessable(message: str, code: str | None = None, param: str | None = None) -> ApiError:
    return LightfieldError(422, message, code, param)


def not_found(what: str) -> ApiError:
    return LightfieldError(404, f"{what} not found")


def conflict(message: str, code: str | None = None) -> ApiError:
    return LightfieldError(409, message, code)
