"""``check``: a token and one small list call, with a message that says what to fix.

It uses ``lexful_api``, the client tap-lexful and target-lexful share, in-process: starting a
connector to ask for one token would take longer and say less.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lexful_api import (
    LexfulAuthError,
    LexfulConnectionError,
    LexfulError,
    LexfulHTTPError,
    contract,
)
from lexful_api.settings import client_from_config

# A check answers now: a sync's retries ride out an outage, a check only has to say there is one.
CHECK_MAX_TRIES = 2


def check_connection(config: Mapping[str, Any], user_agent: str) -> tuple[bool, str]:
    """(connected, what the check found) for the account a config names."""
    tries = min(int(config.get("max_tries") or CHECK_MAX_TRIES), CHECK_MAX_TRIES)
    client = client_from_config(
        {**config, "max_tries": tries}, user_agent=user_agent, concurrency=1
    )
    try:
        client.get_json(contract.asset_types_path(), {"limit": 1})
    except LexfulError as exc:
        return False, _reason(exc, config)
    finally:
        client.close()
    return True, f"Connected to account {config['account_id']}."


def _reason(exc: LexfulError, config: Mapping[str, Any]) -> str:
    status = getattr(exc, "status", None)
    if isinstance(exc, LexfulConnectionError):
        url = config.get("api_url") or contract.DEFAULT_API_URL
        return f"api_url: the Lexful API at {url} cannot be reached ({exc})"
    if status == 403:
        return f"account_id: the API key does not belong to this account ({exc})"
    if isinstance(exc, LexfulAuthError) or status == 401:
        return f"api_key_id/api_key_secret: the API key was refused ({exc})"
    if isinstance(exc, LexfulHTTPError):
        return f"the Lexful API answered an error: {exc}"
    return str(exc)
