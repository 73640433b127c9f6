"""``check``: what a ``read`` or ``write`` checks before its first record, answered now.

First a token and one small list call, in-process with ``lexful_api`` (the client tap-lexful and
target-lexful share), with a message that says what to fix; then the connector's own settings
validation, run as a sync runs it: ``tap-lexful --discover`` (every setting, and those checked
against the account: ``asset_types``, ``filters``), or target-lexful given no input. A config
``read`` or ``write`` would refuse is refused here, with the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from airbyte_lexful import singer
from airbyte_lexful.mapping import ADAPTER_SETTINGS
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


def check_source(config: Mapping[str, Any]) -> tuple[bool, str]:
    """(valid, what the check found) for a source-lexful config."""

    def validate(checked: Mapping[str, Any]) -> None:
        singer.discover({**checked, **ADAPTER_SETTINGS})

    return _check(config, "source-lexful", validate)


def check_destination(config: Mapping[str, Any]) -> tuple[bool, str]:
    """(valid, what the check found) for a destination-lexful config."""
    return _check(config, "destination-lexful", singer.validate_target)


def _check(
    config: Mapping[str, Any], user_agent: str, validate: Callable[[Mapping[str, Any]], None]
) -> tuple[bool, str]:
    connected, message = check_connection(config, user_agent)
    if not connected:
        return False, message
    try:
        validate(_capped(config))
    except singer.SingerFailedError as exc:
        return False, exc.reason
    return True, message


def _capped(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with max_tries at most CHECK_MAX_TRIES; a value that is no number is left
    as it is, for the connector to refuse."""
    try:
        tries = int(config.get("max_tries") or CHECK_MAX_TRIES)
    except (TypeError, ValueError):
        return dict(config)
    return {**config, "max_tries": min(tries, CHECK_MAX_TRIES)}


def check_connection(config: Mapping[str, Any], user_agent: str) -> tuple[bool, str]:
    """(connected, what the check found) for the account a config names."""
    client = client_from_config(_capped(config), user_agent=user_agent, concurrency=1)
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
