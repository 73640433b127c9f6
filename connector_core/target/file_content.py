"""A ``files`` record's bytes, from inline base64, a local path or a download URL.

Any target's: the record's shape (which key declares the size, which the status, what the
upstream tap is told to do) is a ``RecordShape``; the client is any core ``HttpClient``, whose
profile gives the API's own error classes.

Content is never held whole in memory when it comes from a path or a URL: a download is
streamed to a temporary file while its size, SHA-256 and MD5 are computed, and the upload body
is a callable that opens a fresh stream, so that the client can retry the PUT.

A path or a URL is used only if ``file_sources`` allows it (files_root, allowed_download_hosts);
a download follows redirects one hop at a time, each hop checked by the same rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests

from connector_core.http import BodyTooLarge, HttpClient, UrlRefused
from connector_core.target.file_sources import FileSources, LocalFile, SourceRefused, shown_url

_CHUNK = 1 << 16
#: A download's cap when the record declares no size.
MAX_DOWNLOAD_BYTES = 5 * 1024**3
DEFAULT_MIME = "application/octet-stream"
MAX_REDIRECTS = 5
# O_NOFOLLOW: a symlink swapped in after the check is not followed; O_NONBLOCK: nor does a FIFO
# swapped in hang the run (it has no effect on reading a regular file).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class FileContentError(ValueError):
    """The record's content is missing, unreadable, refused, or not what the record declares."""


@dataclass(frozen=True)
class RecordShape:
    """What a target's ``files`` records call things: the keys differ between APIs' taps."""

    size_key: str = "size"  # the declared size in bytes, checked against the content
    status_key: str = "upload_status"  # a source file that never got its bytes has no content
    done_status: str = "completed"
    hint: str = ""  # how the upstream tap is told to send content, for the rejection message


@dataclass
class FileContent:
    """A file's bytes ready to upload: size, digests and an opener for a fresh stream (retries)."""

    size: int
    sha256: str
    md5: str
    opener: Callable[[], IO[bytes]]
    _temp: Path | None = field(default=None, repr=False)

    def discard(self) -> None:
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


class _Digests:
    """SHA-256 (the records' checksum) and MD5 (what some APIs check an upload with) at once."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.md5.update(chunk)
        self.size += len(chunk)

    def content(self, opener: Callable[[], IO[bytes]], temp: Path | None = None) -> FileContent:
        return FileContent(self.size, self.sha256.hexdigest(), self.md5.hexdigest(), opener, temp)


def load_content(
    record: dict[str, Any], client: HttpClient, sources: FileSources, shape: RecordShape
) -> FileContent:
    """The bytes a ``files`` record points at, checked against its declared size and sha256."""
    try:
        content = _load(record, client, sources, shape)
    except SourceRefused as exc:
        raise FileContentError(str(exc)) from None
    try:
        _check(record, content, shape)
    except FileContentError:
        content.discard()
        raise
    return content


def check_source(record: dict[str, Any], sources: FileSources, shape: RecordShape) -> None:
    """For dry_run: the record's source checked against the rules; nothing read, nothing fetched.

    Inline base64 is decoded and checked: it is part of the record, not a source to read.
    """
    try:
        if record.get("content_base64") is not None:
            _check(record, _from_base64(record["content_base64"]), shape)
        elif record.get("local_path"):
            sources.local_file(record["local_path"])
        elif record.get("download_url"):
            sources.check_url(record["download_url"])
        else:
            raise _no_content(record, shape)
    except SourceRefused as exc:
        raise FileContentError(str(exc)) from None


def _load(
    record: dict[str, Any], client: HttpClient, sources: FileSources, shape: RecordShape
) -> FileContent:
    if record.get("content_base64") is not None:
        return _from_base64(record["content_base64"])
    if record.get("local_path"):
        return _from_path(sources.local_file(record["local_path"]))
    if record.get("download_url"):
        declared = declared_size(record, shape)
        limit = MAX_DOWNLOAD_BYTES if declared is None else min(declared, MAX_DOWNLOAD_BYTES)
        return _from_url(sources.check_url(record["download_url"]), client, sources, limit)
    raise _no_content(record, shape)


def _no_content(record: dict[str, Any], shape: RecordShape) -> FileContentError:
    if record.get(shape.status_key) not in (None, shape.done_status):
        status = str(record[shape.status_key])[:40]
        return FileContentError(
            f"the source file was never uploaded ({shape.status_key} {status!r})"
        )
    hint = f" ({shape.hint})" if shape.hint else ""
    return FileContentError(
        f"file record has no content: give content_base64, local_path or download_url{hint}"
    )


def _from_base64(text: str) -> FileContent:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = f"content_base64 is not valid base64 ({exc})"
        raise FileContentError(msg) from None
    digests = _Digests()
    digests.update(data)
    return digests.content(lambda: io.BytesIO(data))


def _from_path(local: LocalFile) -> FileContent:
    digests = _Digests()
    with _open_checked(local) as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digests.update(chunk)
    return digests.content(lambda: _open_checked(local))


def _open_checked(local: LocalFile) -> IO[bytes]:
    """The file that was checked, opened; refused if another was swapped in under its path."""
    try:
        fd = os.open(local.path, _OPEN_FLAGS)
    except OSError:
        msg = f"local_path {str(local.path)!r} is no longer readable"
        raise FileContentError(msg) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (
        local.device,
        local.inode,
    ):
        os.close(fd)
        msg = f"local_path {str(local.path)!r} was replaced after it was checked"
        raise FileContentError(msg)
    return os.fdopen(fd, "rb")


def _from_url(url: str, client: HttpClient, sources: FileSources, limit: int) -> FileContent:
    """The download in a 0600 temporary file; no more than ``limit`` bytes are read (the
    record's declared size: a peer that sends more is refused without filling the disk)."""
    response = _get(url, client, sources)
    fd, name = tempfile.mkstemp(prefix="singer-file-")
    temp = Path(name)
    digests = _Digests()
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in client.iter_body(response, limit):
                digests.update(chunk)
                out.write(chunk)
    except BodyTooLarge:
        temp.unlink(missing_ok=True)
        msg = f"download_url {shown_url(url)}: more than {limit} bytes (the declared size)"
        raise FileContentError(msg) from None
    except requests.RequestException as exc:
        temp.unlink(missing_ok=True)
        # Transient, so it stops the run like any other (the resumed run tries again); told
        # without the exception's text, which may quote the URL, signature included.
        msg = f"GET {urlsplit(url).path} broke off: {type(exc).__name__}"
        raise client.profile.connection_error(msg) from None
    except BaseException:
        temp.unlink(missing_ok=True)  # a download cut short leaves no temporary file behind
        raise
    finally:
        response.close()
    return digests.content(lambda: temp.open("rb"), temp)


def _get(url: str, client: HttpClient, sources: FileSources) -> requests.Response:
    """GET ``url`` without auth headers (a presigned URL signs itself); each redirect hop is
    checked by the rules before it is followed, so that a listed host cannot bounce the
    download to one that is not."""
    first = shown_url(url)
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = client.request(
                "GET",
                url,
                authenticated=False,
                stream=True,
                allow_redirects=False,
                guard=partial(_guard, sources),
            )
        except Exception as exc:
            if _status_of(exc, client) is None:
                raise
            raise _download_failed(exc, first, client) from None
        if not response.is_redirect:
            if not 200 <= response.status_code < 300:
                response.close()
                msg = f"download_url {first}: download failed (HTTP {response.status_code})"
                raise FileContentError(msg)
            return response
        location = urljoin(url, response.headers["location"])
        response.close()
        try:
            url = sources.check_url(location)
        except SourceRefused as exc:
            msg = f"download_url {first} redirects to a refused URL: {exc}"
            raise FileContentError(msg) from None
    msg = f"download_url {first}: more than {MAX_REDIRECTS} redirects"
    raise FileContentError(msg)


def _guard(sources: FileSources, url: str) -> None:
    """The client's guard for a record's download_url: these rules, not the API's."""
    try:
        sources.check_url(url)
    except SourceRefused as exc:
        raise UrlRefused(str(exc)) from None


def _status_of(exc: Exception, client: HttpClient) -> int | None:
    """The status of the API client's own error answer; None for any other exception."""
    kind = client.profile.http_error
    if isinstance(kind, type) and isinstance(exc, kind):
        status = getattr(exc, "status", None)
        return status if isinstance(status, int) else None
    return None


def _download_failed(exc: Exception, shown: str, client: HttpClient) -> Exception:
    """The error for a download answered with an error status, telling the status only: the
    body from a storage host may quote the signature it refused."""
    status = _status_of(exc, client)
    assert status is not None
    if status >= 500 or status in client.profile.transient_statuses:
        # Retried already; like every transient error it stops the run rather than reject the
        # file, so that the resumed run tries again.
        method, path = getattr(exc, "method", "GET"), getattr(exc, "path", "")
        return client.profile.http_error(status, "download failed", method, path)
    # Expired, refused, gone: this URL will not work on a retry either.
    return FileContentError(f"download_url {shown}: download failed (HTTP {status})")


def _check(record: dict[str, Any], content: FileContent, shape: RecordShape) -> None:
    declared = declared_size(record, shape)
    if declared is not None and declared != content.size:
        msg = f"content is {content.size} bytes but the record declares {shape.size_key} {declared}"
        raise FileContentError(msg)
    sha = record.get("sha256")
    if sha and str(sha).lower() != content.sha256:
        msg = "content does not match the record's sha256"
        raise FileContentError(msg)


def declared_size(record: dict[str, Any], shape: RecordShape) -> int | None:
    """The record's declared size, if it has one; FileContentError if it is not a number."""
    value = record.get(shape.size_key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        msg = f"{shape.size_key} {str(value)[:40]!r} is not a number of bytes"
        raise FileContentError(msg) from None
