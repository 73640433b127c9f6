"""The settings every Lexful connector has, and the one client they configure.

Where the API is, whose account and the key are Lexful's; how requests are paced and retried
is the core's (``connector_core.settings``). The tap and the target declare these the same
way and build their ``LexfulClient`` from them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from connector_core import (
    DEFAULT_MAX_CONCURRENCY,
    client_options,
    concurrency_property,
    max_concurrency,
    request_properties,
)
from lexful_api import contract
from lexful_api.http import LexfulClient

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "client_from_config",
    "concurrency_property",
    "connection_properties",
    "max_concurrency",
    "request_properties",
]


def connection_properties(role: str) -> list[th.Property[Any]]:
    """The connection settings, for a connector that will ``role`` (read, write to) an account."""
    return [
        th.Property(
            "api_url",
            th.URIType,
            default=contract.DEFAULT_API_URL,
            title="API URL",
            description="Base URL of the Lexful API (the pod of the account).",
        ),
        th.Property(
            "account_id",
            th.StringType,
            required=True,
            title="Account ID",
            description=f"The Lexful account to {role} (sent as X-Account-ID).",
        ),
        th.Property(
            "api_key_id",
            th.StringType,
            required=True,
            title="API key ID",
            description="ID of the API key.",
        ),
        th.Property(
            "api_key_secret",
            th.StringType,
            required=True,
            secret=True,
            title="API key secret",
            description="Secret of the API key; never logged.",
        ),
    ]


def client_from_config(
    config: Mapping[str, Any], *, user_agent: str | None, concurrency: int
) -> LexfulClient:
    """The one client of a run: one session, one token, one pace for every thread."""
    return LexfulClient(
        api_url=config.get("api_url") or contract.DEFAULT_API_URL,
        account_id=config["account_id"],
        key_id=config["api_key_id"],
        key_secret=config["api_key_secret"],
        rate_burst=1,  # paced evenly: a burst is what makes a server count 429s
        user_agent=user_agent,
        **client_options(config, concurrency=concurrency),
    )
