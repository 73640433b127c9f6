"""The errors of a Lexful call: one line each, naming the call, never a secret."""

from __future__ import annotations


class LexfulError(Exception):
    """Anything that went wrong talking to Lexful."""


class LexfulHTTPError(LexfulError):
    """The API answered with an error status that retrying will not fix (or retries ran out)."""

    def __init__(self, status: int, message: str, method: str, path: str) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path  # a path without its query: presigned signatures stay out of logs
        super().__init__(f"{method} {path} -> {status}: {message}")


class LexfulAuthError(LexfulError):
    """The key pair or the account was refused."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(f"authentication failed ({status}): {message}")


class LexfulConnectionError(LexfulError):
    """The network failed and retries ran out."""
