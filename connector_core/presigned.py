"""The URLs an API hands out for a file's bytes (presigned downloads and uploads), checked.

An API (or whatever answers in its place) names the URL; the connector must not fetch or PUT
to whatever it names. The rules are the target's rules for a record's download_url
(``connector_core.target.file_sources``), with the API's own host trusted:

- https, or the API's own scheme (a sandbox on http://127.0.0.1 hands out http URLs);
- no user name or password in the URL;
- the API's own host (and port) whatever it is; a host listed in ``allowed_file_hosts``
  (exactly: how an internal storage host is allowed; ``*.domain``: its subdomains, which must
  resolve to public addresses); any other host only if it resolves to public addresses only:
  no loopback, private, link-local or unspecified address;
- each redirect hop is checked by the same rules (``HttpClient.request``), and an upload sends
  only the headers a storage protocol needs (``upload_headers``).

The check resolves the host name before the request, which resolves it again: a name that
changes its answer in between (DNS rebinding) is not caught here; list storage hosts exactly
to pin them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from connector_core.safe_http import UrlRefused, origin
from connector_core.scrub import clean
from connector_core.target.file_sources import (
    FileSources,
    HostRule,
    SourceRefused,
    parse_host_rule,
    shown_url,
)

SETTING = "allowed_file_hosts"
#: Headers an upload may send as the API names them: what object stores read.
_UPLOAD_HEADERS = frozenset(
    {
        "content-type",
        "content-md5",
        "content-encoding",
        "content-disposition",
        "content-language",
        "cache-control",
        "expires",
    }
)
_UPLOAD_PREFIXES = ("x-amz-", "x-goog-", "x-ms-")


def file_hosts_property() -> th.Property[Any]:
    """``allowed_file_hosts``: the internal hosts a presigned URL may point at."""
    return th.Property(
        SETTING,
        th.ArrayType(th.StringType),
        default=[],
        description=(
            "Hosts a presigned file URL from the API may reach besides the API's own host and "
            "public hosts: host, host:port or *.domain. Loopback, private and link-local hosts "
            "are refused unless listed exactly"
        ),
    )


@dataclass(frozen=True)
class PresignedUrls:
    """The rules for one API account's presigned URLs; ``check`` is an ``HttpClient`` guard."""

    api_url: str
    sources: FileSources

    @classmethod
    def build(cls, api_url: str, entries: Sequence[Any] = ()) -> PresignedUrls:
        """The rules of ``allowed_file_hosts`` (``entries``), the API's own host added."""
        rules: list[HostRule] = []
        errors = []
        for entry in entries:
            try:
                rules.append(parse_host_rule(entry))
            except ValueError as exc:
                errors.append(f"{SETTING}: {exc}")
        if errors:
            raise ConfigValidationError(f"Invalid {SETTING}", errors=errors)
        _, host, port = origin(api_url)
        rules.append(HostRule(host.lower(), port))  # the API's own host, exactly
        return cls(api_url, FileSources(None, tuple(rules), setting=SETTING, any_public=True))

    def check(self, url: str) -> None:
        """Nothing if ``url`` may be reached without credentials; else ``UrlRefused``."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("https", origin(self.api_url)[0]):
            msg = f"presigned URL {shown_url(url)}: scheme {scheme[:20]!r} is not https"
            raise UrlRefused(msg)
        try:
            self.sources.check_url(url, "presigned URL")
        except SourceRefused as exc:
            raise UrlRefused(str(exc)) from None


def upload_headers(named: Any) -> tuple[dict[str, str], list[str]]:
    """The headers of an upload the API named, and the names of those left out.

    Kept: the content headers and the object stores' own (``x-amz-``, ``x-goog-``,
    ``x-ms-``). Left out: ``Host`` (it would send the request to another virtual host), the
    hop-by-hop headers, credentials and cookies, any other ``X-``, and any value with a
    control character (header injection).
    """
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for key, value in (named or {}).items() if isinstance(named, Mapping) else ():
        name, text = str(key), str(value)
        lower = name.lower()
        allowed = lower in _UPLOAD_HEADERS or lower.startswith(_UPLOAD_PREFIXES)
        if allowed and clean(text) == text and clean(name) == name and len(text) <= 1024:
            kept[name] = text
        else:
            dropped.append(clean(name, 60))
    return kept, dropped
