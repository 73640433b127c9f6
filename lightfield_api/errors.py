"""The errors of a Lightfield call: one line each, naming the call, never the key."""

from __future__ import annotations


class LightfieldError(Exception):
    """Anything that went wrong talking to Lightfield."""


class LightfieldHTTPError(LightfieldError):
    """The API answered with an error status that retrying will not fix (or retries ran out)."""

    def __init__(self, status: int, message: str, method: str, path: str) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path  # a path without its query
        super().__init__(f"{method} {path} -> {status}: {message}")


class LightfieldConnectionError(LightfieldError):
    """The network failed and retries ran out."""


class ContractMismatch(LightfieldError):
    """The API does otherwise than an assumption of ``contract`` that no fallback covers: the
    run stops at once, with one line naming what differs and the setting that adapts."""
