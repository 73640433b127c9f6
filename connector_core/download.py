"""A file's bytes from a URL sent without auth (a presigned one) to where a tap puts them.

One function, ``download_file``, for every tap of every API: the bytes go into the record as base64
(``Inline``) or into a file under a directory (``InDirectory``), never more than the cap
(``BodyTooLarge``, raised at the first chunk past it: the rest is not read), and what comes is
hashed (SHA-256) on the way.

Retries are the client's (``HttpClient.request`` with ``read``): a status worth a retry, a
connection dropped before the headers or in the middle of the body, the request's deadline
passed; each is tried again, up to ``max_tries`` in all, and a body that broke off is read again
from its first byte (what was written of it is dropped). After the last try the client raises
the API's own error, naming the call by its path only: a presigned URL's query (its signature)
is in no log line and no error.

A file is written as ``connector_core.safe_files`` writes: directories 0700 entered without
following a symlink (``O_NOFOLLOW``), the file 0600 under a fresh name, renamed into place once
it is whole; a download that fails leaves nothing behind.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from connector_core import safe_files

if TYPE_CHECKING:
    import requests

    from connector_core.http import HttpClient

__all__ = ["Downloaded", "InDirectory", "Inline", "download_file"]


@dataclass(frozen=True)
class Inline:
    """The bytes go into the record, as base64 (``Downloaded.content_base64``)."""


@dataclass(frozen=True)
class InDirectory:
    """The bytes go to ``root/segments.../name`` (``Downloaded.local_path``).

    ``segments`` and ``name`` are single, safe path segments: the caller makes them from the
    API's names (``safe_files.private_dirs`` refuses any other)."""

    root: str
    segments: tuple[str, ...]
    name: str

    @property
    def path(self) -> str:
        return str(Path(self.root, *self.segments, self.name))


@dataclass(frozen=True)
class Downloaded:
    """What came: its SHA-256 (hex) and size, and where it went."""

    sha256: str
    size: int
    content_base64: str | None = None
    local_path: str | None = None


def download_file(
    client: HttpClient,
    url: str,
    to: Inline | InDirectory,
    limit: int,
    *,
    on_retry: Callable[[], None] | None = None,
) -> Downloaded:
    """GET ``url`` without auth (checked first by the client's ``url_guard``) and stream its
    body to ``to``, no more than ``limit`` bytes.

    Raises ``BodyTooLarge`` past ``limit``, the client's API error when the download fails for
    good (see the module's docstring), and ``OSError`` (``safe_files.UnsafePath`` among them)
    when ``InDirectory`` cannot be written."""
    if isinstance(to, Inline):
        buffer = io.BytesIO()
        sha256 = _fetch(client, url, buffer, limit, on_retry)
        data = buffer.getvalue()
        return Downloaded(sha256, len(data), content_base64=base64.b64encode(data).decode("ascii"))
    folder = safe_files.private_dirs(to.root, to.segments)
    try:
        with safe_files.new_file(folder, to.name) as out:
            sha256 = _fetch(client, url, out, limit, on_retry)
            size = out.tell()
    finally:
        os.close(folder)
    return Downloaded(sha256, size, local_path=to.path)


def _fetch(
    client: HttpClient,
    url: str,
    out: BinaryIO,
    limit: int,
    on_retry: Callable[[], None] | None,
) -> str:
    """The body into ``out`` (from its start on every try); its SHA-256."""
    digest = hashlib.sha256()

    def read(response: requests.Response) -> None:
        nonlocal digest
        out.seek(0)
        out.truncate()
        digest = hashlib.sha256()
        for chunk in client.iter_body(response, limit):
            digest.update(chunk)
            out.write(chunk)

    # The response is read and closed by then: nothing of it is left to use.
    client.request("GET", url, authenticated=False, stream=True, read=read, on_retry=on_retry)
    return digest.hexdigest()
