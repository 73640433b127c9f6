"""Where a ``files`` record may take its bytes from: the rules for local_path and download_url.

A record is input, and input may be hostile: unchecked, ``local_path: /etc/shadow`` or a URL to
a cloud metadata address would be read and uploaded into the destination. So:

- a ``local_path`` must be a regular file inside ``files_root`` once ``..`` and symlinks are
  resolved (a relative one is taken relative to ``files_root``); no ``files_root``, no path;
- a ``download_url`` must be http(s), without user info, to a host in
  ``allowed_download_hosts``. An exact entry (``host`` or ``host:port``) is trusted as it is:
  that is how a loopback or internal host is allowed. A host matched only by a ``*.domain``
  entry must resolve to public addresses, every one of them checked. Loopback, private,
  link-local and unspecified literals and ``localhost`` are refused unless listed exactly.

Each refusal is a ``SourceRefused`` whose message is a one-line reason naming the setting. A
URL is only ever shown as scheme://host/path: its query may be a presigned signature and its
user info a password.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

ROOT_SETTING = "files_root"
HOSTS_SETTING = "allowed_download_hosts"
DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")
_PRINTABLE = "".join(map(chr, range(0x21, 0x7F)))
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def file_source_properties() -> tuple[th.Property[Any], ...]:
    """The two settings of these rules, as every target that writes files declares them."""
    return (
        th.Property(
            ROOT_SETTING,
            th.StringType,
            description=(
                "Directory a files record's local_path must be inside (after resolving .. and "
                "symlinks); a relative local_path is taken relative to it. Unset: every "
                "local_path is rejected"
            ),
        ),
        th.Property(
            HOSTS_SETTING,
            th.ArrayType(th.StringType),
            default=[],
            description=(
                "Hosts a files record's download_url (https or http) may be fetched from: "
                "host, host:port, or *.domain (its subdomains, which must resolve to public "
                "addresses). Empty: every download_url is rejected. Loopback, private and "
                "link-local hosts must be listed exactly"
            ),
        ),
    )


class SourceRefused(Exception):
    """The record's local_path or download_url breaks the rules; the message says which."""


@dataclass(frozen=True)
class HostRule:
    """One ``allowed_download_hosts`` entry."""

    host: str  # lower case, without brackets; "*.example.com" matches any subdomain
    port: int | None = None  # None: any port

    @property
    def exact(self) -> bool:
        return not self.host.startswith("*.")

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.exact:
            return host == self.host
        return host.endswith(self.host[1:]) and _ip(host) is None  # a wildcard names, not IPs


@dataclass(frozen=True)
class LocalFile:
    """A local_path that passed the rules: resolved, and which file it was when checked."""

    path: Path
    device: int
    inode: int
    size: int


@dataclass(frozen=True)
class FileSources:
    """The rules, from the settings; the default allows no local path and no URL."""

    files_root: str | None = None
    allowed_hosts: tuple[HostRule, ...] = ()
    #: The setting the host rules come from, named in refusals.
    setting: str = HOSTS_SETTING
    #: A host no rule names is allowed if it resolves to public addresses only (presigned
    #: URLs of a storage service); without it, only listed hosts are.
    any_public: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FileSources:
        entries = list(config.get(HOSTS_SETTING) or [])
        rules, errors = [], []
        for entry in entries:
            try:
                rules.append(parse_host_rule(entry))
            except ValueError as exc:
                errors.append(f"{HOSTS_SETTING}: {exc}")
        if errors:
            raise ConfigValidationError(f"Invalid {HOSTS_SETTING}", errors=errors)
        return cls(config.get(ROOT_SETTING) or None, tuple(rules))

    # -- local_path -----------------------------------------------------------------------------

    def local_file(self, value: Any) -> LocalFile:
        """The file ``value`` names, if the rules allow it; only metadata is read (stat)."""
        if not self.files_root:
            msg = f"local_path is not allowed: the setting {ROOT_SETTING} is not set"
            raise SourceRefused(msg)
        if not isinstance(value, str) or not value or "\0" in value:
            msg = "local_path is not a file path"
            raise SourceRefused(msg)
        root = Path(os.path.realpath(self.files_root))
        if not root.is_dir():
            msg = f"the setting {ROOT_SETTING} ({self.files_root}) is not a directory"
            raise SourceRefused(msg)
        # realpath resolves ".." and every symlink: what is checked is what would be opened.
        path = Path(os.path.realpath(root / value))
        if not path.is_relative_to(root):
            msg = f"local_path {_shown_path(value)} is outside {ROOT_SETTING} (after resolving)"
            raise SourceRefused(msg)
        return _regular_file(path, value)

    # -- download_url ---------------------------------------------------------------------------

    def check_url(self, value: Any, what: str = "download_url") -> str:
        """``value`` if the rules allow fetching it; otherwise the reason, as SourceRefused."""
        try:
            self._check_host(_split(value))
        except SourceRefused as exc:
            raise SourceRefused(f"{what} {shown_url(value)}: {exc}") from None
        return str(value)

    def _check_host(self, parts: SplitResult) -> None:
        host, port = _host_and_port(parts)
        rule = next((r for r in self.allowed_hosts if r.matches(host, port)), None)
        if rule is not None and rule.exact:
            return  # listed exactly: the operator vouches for it, whatever it is
        address = _ip(host)
        if address is not None and not _public(address):
            raise SourceRefused(_not_public(host, address, self.setting))
        if host == "localhost" or host.endswith(".localhost"):
            msg = f"host {host} is loopback; refused unless listed exactly in {self.setting}"
            raise SourceRefused(msg)
        if rule is None and not self.any_public:
            msg = f"host {_authority(host, parts.port)} is not in {self.setting}"
            raise SourceRefused(msg)
        refuse_non_public(host, port, self.setting)


def parse_host_rule(entry: Any) -> HostRule:
    """``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address, or ``*.domain``."""
    if not isinstance(entry, str) or not entry.strip():
        msg = f"{entry!r} is not a host name"
        raise ValueError(msg)
    text = entry.strip().lower()
    if text.count(":") > 1 and not text.startswith("["):
        text = f"[{text}]"  # a bare IPv6 address
    wildcard = text.startswith("*.")
    try:
        parts = urlsplit("//" + (text[2:] if wildcard else text))
        port = parts.port
    except ValueError:
        parts, port = None, None
    host = (parts.hostname or "").rstrip(".") if parts else ""
    extra = parts is None or parts.path or parts.query or parts.fragment or "@" in parts.netloc
    if extra or not (_HOST_NAME.match(host) or (_ip(host) is not None and not wildcard)):
        msg = f"{entry!r} is not a host name, host:port or *.domain"
        raise ValueError(msg)
    return HostRule(f"*.{host}" if wildcard else host, port)


def refuse_non_public(host: str, port: int, setting: str = HOSTS_SETTING) -> None:
    """Resolve ``host``; every address must be public (a name can point anywhere)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        msg = f"host {host} does not resolve"
        raise SourceRefused(msg) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not _public(address):
            raise SourceRefused(_not_public(host, address, setting))


def shown_url(value: Any) -> str:
    """scheme://host/path of ``value``: never its query, fragment or user info."""
    if not isinstance(value, str):
        return "(not a string)"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "(unparseable URL)"
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    where = f"{parts.scheme}://{_authority(host, port)}" if parts.scheme else ""
    # One line, bounded: the path is input too (a space or a newline is shown %-encoded).
    return quote((where + parts.path)[:200], safe=_PRINTABLE) or "(empty URL)"


def _split(value: Any) -> SplitResult:
    if not isinstance(value, str) or _UNPRINTABLE.search(value):  # spaces, controls, non-ASCII
        msg = "not a URL"
        raise SourceRefused(msg)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        msg = "not a URL"
        raise SourceRefused(msg) from None
    if parts.scheme and parts.scheme.lower() not in DEFAULT_PORTS:
        msg = f"scheme {parts.scheme[:20]!r} is not allowed (only https or http)"
        raise SourceRefused(msg)
    if not parts.scheme or not parts.netloc:
        msg = "not an absolute http(s) URL"
        raise SourceRefused(msg)
    if "@" in parts.netloc:
        msg = "it carries a user name or password (not allowed)"
        raise SourceRefused(msg)
    return parts


def _host_and_port(parts: SplitResult) -> tuple[str, int]:
    host = (parts.hostname or "").rstrip(".")
    if not (_HOST_NAME.match(host) or _ip(host) is not None):
        msg = "it has no valid host name"
        raise SourceRefused(msg)
    return host, parts.port or DEFAULT_PORTS[parts.scheme.lower()]


def _regular_file(path: Path, value: str) -> LocalFile:
    try:
        info = path.stat()
    except OSError:
        msg = f"local_path {_shown_path(value)} is not a readable file"
        raise SourceRefused(msg) from None
    if not stat.S_ISREG(info.st_mode):
        msg = f"local_path {_shown_path(value)} is not a regular file"
        raise SourceRefused(msg)
    return LocalFile(path, info.st_dev, info.st_ino, info.st_size)


def _ip(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _public(address: IpAddress) -> bool:
    address = _unmapped(address)
    return address.is_global and not address.is_multicast


def _not_public(host: str, address: IpAddress, setting: str) -> str:
    shown = host if host == str(address) else f"{host} ({address})"
    return f"host {shown} is {_kind(address)}; refused unless listed exactly in {setting}"


def _kind(address: IpAddress) -> str:
    address = _unmapped(address)
    for kind in ("loopback", "unspecified", "link_local", "private"):  # loopback is private too
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return "not a public address"


def _unmapped(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def _authority(host: str, port: int | None) -> str:
    return f"{host}:{port}" if port is not None else host


def _shown_path(value: str) -> str:
    return repr(value[:200])  # repr: a newline in the input cannot break the one-line reason
