"""The settings every connector has, whatever the API: concurrency, pacing and retries.

Each API's package adds its own connection settings (where the API is, the credentials) and
builds its client from these (``lexful_api.settings``, ``tap_lightfield.tap``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict
from urllib.parse import unquote, urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from connector_core import scrub
from connector_core.safe_http import DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES

# The distribution that ships every connector, of both APIs (pyproject.toml's name): the
# plugins' --version reads it, and it is the User-Agent of a client given none.
DISTRIBUTION = "lexful-lightfield-connectors"
DEFAULT_MAX_CONCURRENCY = 8  # the old default, and a number's default where auto is refused
AUTO = "auto"
AUTO_MAX_CONCURRENCY = 64  # the most requests in flight that auto goes to
MAX_RESPONSE_SETTING = "max_response_bytes"
MAX_PAGES_SETTING = "max_pages"
PROXY_SETTING = "proxy_url"


def concurrency_property(what: str) -> th.Property[Any]:
    """``max_concurrency``: how many ``what`` (requests, writes) are in flight at once."""
    return th.Property(
        "max_concurrency",
        # One schema, no anyOf (airbyte-cdk refuses the bare "null" the SDK adds to one):
        # the bounds hold for a number, the pattern for text (Meltano passes "8" so).
        th.CustomType(
            {
                "type": ["string", "integer"],
                "minimum": 1,
                "maximum": AUTO_MAX_CONCURRENCY,
                "pattern": "^(auto|[1-9][0-9]?)$",
            }
        ),
        default=AUTO,
        description=(
            f"{what} in flight at once (within max_requests_per_second). auto (default): "
            f"found while running, up to {AUTO_MAX_CONCURRENCY}, from the API's latency and its "
            "429s (then paced at the rate it accepts); a number fixes it."
        ),
    )


def adaptive(config: Mapping[str, Any]) -> bool:
    """Is ``max_concurrency`` auto (the default)?"""
    value = config.get("max_concurrency")
    return value is None or value == AUTO


def max_concurrency(config: Mapping[str, Any]) -> int:
    """The threads of a run: the setting's number, or auto's ceiling."""
    if adaptive(config):
        return AUTO_MAX_CONCURRENCY
    value = config["max_concurrency"]
    try:
        return min(AUTO_MAX_CONCURRENCY, max(1, int(value)))
    except (TypeError, ValueError):
        msg = f"max_concurrency: {value!r} is neither a whole number nor 'auto'"
        raise ValueError(msg) from None


def request_properties(
    requests_per_second: float | None = None, why: str = "default none"
) -> list[th.Property[Any]]:
    """How requests are paced and retried; ``requests_per_second`` is the default pace."""
    return [
        th.Property(
            "max_requests_per_second",
            th.NumberType(exclusive_minimum=0),
            default=requests_per_second,
            description=f"Client-side request budget shared by all threads; {why}.",
        ),
        th.Property(
            "max_tries",
            th.IntegerType(minimum=1),
            default=6,
            description="Tries of a request on 429, 5xx and network errors before failing.",
        ),
        th.Property(
            "backoff_base_seconds",
            th.NumberType(minimum=0),
            default=0.5,
            description="First backoff wait; doubles on each retry, with jitter.",
        ),
        th.Property(
            "request_timeout_seconds",
            th.NumberType(exclusive_minimum=0),
            default=120,
            description=(
                "Deadline of one request, all of it (connection, answer and body, a file "
                "download included), not of each read."
            ),
        ),
        th.Property(
            MAX_RESPONSE_SETTING,
            th.IntegerType(minimum=1024),
            default=DEFAULT_MAX_RESPONSE_BYTES,
            description=(
                "Largest API answer read, counted decompressed (a gzip bomb stops here); a "
                "bigger one fails the request. 16 MiB is about 70 times the largest real page "
                "seen (238 KB for 1000 records); memory grows with it (an answer parses into "
                "several times its size)."
            ),
        ),
        th.Property(
            MAX_PAGES_SETTING,
            th.IntegerType(minimum=1),
            default=DEFAULT_MAX_PAGES,
            description=(
                "Most pages read from one list: a list whose total never ends stops with an "
                "error naming it."
            ),
        ),
        th.Property(
            PROXY_SETTING,
            th.StringType,
            secret=True,
            description=(
                "HTTP proxy for every request, API and presigned file URLs alike: "
                "http://[user:password@]host:port. An https request goes through it as a "
                "CONNECT tunnel (the proxy sees host and port only); an http one in full. "
                "Unset: direct. HTTP(S)_PROXY and the rest of the environment are never read."
            ),
        ),
    ]


def user_agent_property(default: str) -> th.Property[Any]:
    """``user_agent``: the User-Agent header of every request (the connector's name)."""
    return th.Property(
        "user_agent",
        th.StringType,
        default=default,
        description="User-Agent header of every request.",
    )


class ClientOptions(TypedDict):
    """The ``HttpClient`` arguments that ``request_properties`` and ``max_concurrency`` set."""

    max_requests_per_second: float | None
    max_tries: int
    backoff_base_s: float
    timeout_s: float
    pool_size: int
    max_response_bytes: int
    max_pages: int
    allowed_file_hosts: tuple[str, ...]
    proxies: dict[str, str]
    adaptive_concurrency: int | None


def client_options(
    config: Mapping[str, Any], *, concurrency: int, min_pool: int = 32
) -> ClientOptions:
    """The request settings as client arguments; a pool of two connections per thread."""
    backoff = config.get("backoff_base_seconds")
    return ClientOptions(
        max_requests_per_second=config.get("max_requests_per_second"),
        max_tries=int(config.get("max_tries") or 6),
        # 0 is a valid setting (no wait): only an absent one takes the default.
        backoff_base_s=0.5 if backoff is None else float(backoff),
        timeout_s=float(config.get("request_timeout_seconds") or 120),
        pool_size=max(min_pool, concurrency * 2),
        max_response_bytes=int(config.get(MAX_RESPONSE_SETTING) or DEFAULT_MAX_RESPONSE_BYTES),
        max_pages=int(config.get(MAX_PAGES_SETTING) or DEFAULT_MAX_PAGES),
        allowed_file_hosts=tuple(config.get("allowed_file_hosts") or ()),
        proxies=proxies(config.get(PROXY_SETTING)),
        adaptive_concurrency=concurrency if adaptive(config) else None,
    )


API_URL_SETTING = "api_url"


def check_api_url(api_url: Any, setting: str = API_URL_SETTING) -> None:
    """Nothing if ``api_url`` carries no ``user:password@``; else a settings error naming it.

    Every plugin and probe builds its client from this URL (``HttpClient`` checks it), so a
    URL with user info stops at startup in one line: the credentials of both APIs are their
    own settings, and a password in a URL would reach every log that shows the URL."""
    if not api_url:
        return
    parts = urlsplit(str(api_url))
    netloc = parts.netloc
    if "@" not in netloc:
        return
    masked = parts._replace(netloc=f"{scrub.MASK}@{netloc.rsplit('@', 1)[1]}").geturl()
    msg = (
        f"{setting}: {masked} carries a user name or password; give the URL without them "
        "(the credentials are settings of their own)"
    )
    raise ConfigValidationError(msg, errors=[msg])


def proxies(proxy_url: Any) -> dict[str, str]:
    """``proxy_url`` as the session's proxies (both schemes through it); {} when unset.

    Its password, if any, is masked in every message from now on."""
    if not proxy_url:
        return {}
    parts = urlsplit(str(proxy_url))
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or not parts.hostname or not port:  # as documented
        raise setting_error(f"{PROXY_SETTING}: expected http://[user:password@]host:port")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise setting_error(f"{PROXY_SETTING}: a proxy URL has no path, query or fragment")
    scrub.register(str(proxy_url), parts.password, unquote(parts.password or ""))
    return {"http": str(proxy_url), "https": str(proxy_url)}


def setting_error(message: str) -> ConfigValidationError:
    """A bad setting, as the SDK reports it: ``message`` (one line naming the setting) is
    both the error and its only listed problem."""
    return ConfigValidationError(message, errors=[message])
