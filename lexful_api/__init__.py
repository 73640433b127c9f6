"""Shared Lexful knowledge for tap-lexful and target-lexful: the contract, auth and HTTP client."""

from lexful_api.errors import LexfulAuthError, LexfulConnectionError, LexfulError, LexfulHTTPError
from lexful_api.http import LexfulClient

__all__ = [
    "LexfulAuthError",
    "LexfulClient",
    "LexfulConnectionError",
    "LexfulError",
    "LexfulHTTPError",
]
