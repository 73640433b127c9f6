"""Lightfield's auth: a static API key as a bearer token, and the API version on every call."""

from __future__ import annotations

import requests

from connector_core import scrub
from lightfield_api import contract


class LightfieldKeyAuth(requests.auth.AuthBase):
    """Adds ``Authorization: Bearer <key>`` and ``Lightfield-Version`` to a request [D].

    The key never expires on its own, so there is nothing to refresh: a 401 is final.
    """

    def __init__(self, api_key: str, version: str = contract.API_VERSION) -> None:
        self._key = api_key
        scrub.register(api_key)
        self._version = version

    def __repr__(self) -> str:  # never show the key
        return "LightfieldKeyAuth(api_key=****)"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key}"
        request.headers[contract.VERSION_HEADER] = self._version
        return request
