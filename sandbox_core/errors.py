"""The error every sandbox handler may raise; each API profile renders it in its own shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class ApiError(Exception):
    """An answer other than success: status, message, extra headers.

    Profiles subclass it for what their error body carries beyond the message (Lexful's
    ``details``, Lightfield's ``code`` and ``param``); the core only needs these three.
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: Mapping[str, str] = headers or {}


# The JSON body of an error answer, in the profile's shape.
Renderer = Callable[[ApiError], dict[str, Any]]
