"""File content for the three-step upload: from base64, a local path or a download URL.

Content is never held whole in memory when it comes from a path or a URL: a download is
streamed to a temporary file while its size and SHA-256 are computed, and the upload body is
a callable that opens a fresh stream, so that LexfulClient can retry the PUT.

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
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests

from connector_core.target.file_sources import FileSources, LocalFile, SourceRefused, shown_url
from lexful_api import LexfulClient, LexfulConnectionError, LexfulHTTPError, contract

_CHUNK = 1 << 16
DEFAULT_MIME = "application/octet-stream"
MAX_REDIRECTS = 5
# O_NOFOLLOW: a symlink swapped in after the check is not followed; O_NONBLOCK: nor does a FIFO
# swapped in hang the run (it has no effect on reading a regular file).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class FileContentError(ValueError):
    """The record's content is missing, unreadable, refused, or not what the record declares."""


@dataclass
class FileContent:
    """A file's bytes ready to upload: size, SHA-256 and an opener for a fresh stream (retries)."""

    size: int
    sha256: str
    opener: Callable[[], IO[bytes]]
    _temp: Path | None = field(default=None, repr=False)

    def discard(self) -> None:
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


def load_content(record: dict[str, Any], client: LexfulClient, sources: FileSources) -> FileContent:
    """The bytes a ``files`` record points at, checked against its ``size`` and ``sha256``."""
    try:
        content = _load(record, client, sources)
    except SourceRefused as exc:
        raise FileContentError(str(exc)) from None
    try:
        _check(record, content)
    except FileContentError:
        content.discard()
        raise
    return content


def check_source(record: dict[str, Any], sources: FileSources) -> None:
    """For dry_run: the record's source checked against the rules; nothing read, nothing fetched.

    Inline base64 is decoded and checked: it is part of the record, not a source to read.
    """
    try:
        if record.get("content_base64") is not None:
            _check(record, _from_base64(record["content_base64"]))
        elif record.get("local_path"):
            sources.local_file(record["local_path"])
        elif record.get("download_url"):
            sources.check_url(record["download_url"])
        else:
            raise _no_content(record)
    except SourceRefused as exc:
        raise FileContentError(str(exc)) from None


def _load(record: dict[str, Any], client: LexfulClient, sources: FileSources) -> FileContent:
    if record.get("content_base64") is not None:
        return _from_base64(record["content_base64"])
    if record.get("local_path"):
        return _from_path(sources.local_file(record["local_path"]))
    if record.get("download_url"):
        return _from_url(sources.check_url(record["download_url"]), client, sources)
    raise _no_content(record)


def _no_content(record: dict[str, Any]) -> FileContentError:
    if record.get("upload_status") not in (None, "completed"):
        status = str(record["upload_status"])[:40]
        return FileContentError(f"the source file was never uploaded (upload_status {status!r})")
    return FileContentError(
        "file record has no content: give content_base64, local_path or download_url "
        "(tap-lexful: files_content inline or directory)"
    )


def upload(
    client: LexfulClient,
    asset_type: str,
    asset_id: str,
    meta: dict[str, Any],
    content: FileContent,
) -> dict[str, Any]:
    """Create the file record, PUT the bytes to the presigned URL, complete it [D]."""
    created = client.send_json("POST", contract.files_path(asset_type, asset_id), meta)
    file_record, upload_url = contract.created_file(created)
    client.request(
        "PUT",
        upload_url,
        data=content.opener,
        headers={"Content-Type": meta["mime_type"]},
        authenticated=False,  # the URL carries its own signature [D]
    )
    completed = client.send_json(
        "POST", contract.file_complete_path(asset_type, asset_id, file_record["id"]), {}
    )
    return completed.get("file", completed) if isinstance(completed, dict) else file_record


def _from_base64(text: str) -> FileContent:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = f"content_base64 is not valid base64 ({exc})"
        raise FileContentError(msg) from None
    return FileContent(len(data), hashlib.sha256(data).hexdigest(), lambda: io.BytesIO(data))


def _from_path(local: LocalFile) -> FileContent:
    digest = hashlib.sha256()
    size = 0
    with _open_checked(local) as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return FileContent(size, digest.hexdigest(), lambda: _open_checked(local))


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


def _from_url(url: str, client: LexfulClient, sources: FileSources) -> FileContent:
    response = _get(url, client, sources)
    fd, name = tempfile.mkstemp(prefix="target-lexful-")
    temp = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_content(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except requests.RequestException as exc:
        temp.unlink(missing_ok=True)
        # Transient, so it stops the run like any other (the resumed run tries again); told
        # without the exception's text, which may quote the URL, signature included.
        msg = f"GET {urlsplit(url).path} broke off: {type(exc).__name__}"
        raise LexfulConnectionError(msg) from None
    except BaseException:
        temp.unlink(missing_ok=True)  # a download cut short leaves no temporary file behind
        raise
    finally:
        response.close()
    return FileContent(size, digest.hexdigest(), lambda: temp.open("rb"), temp)


def _get(url: str, client: LexfulClient, sources: FileSources) -> requests.Response:
    """GET ``url`` without auth headers (a presigned URL signs itself); each redirect hop is
    checked by the rules before it is followed, so that a listed host cannot bounce the
    download to one that is not."""
    first = shown_url(url)
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = client.request(
                "GET", url, authenticated=False, stream=True, allow_redirects=False
            )
        except LexfulHTTPError as exc:
            raise _download_failed(exc, first) from None
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


def _download_failed(exc: LexfulHTTPError, shown: str) -> Exception:
    """The error for a download answered with an error status, telling the status only: the
    body from a storage host may quote the signature it refused."""
    if exc.status >= 500 or exc.status in contract.TRANSIENT_STATUSES:
        # Retried already; like every transient error it stops the run rather than reject the
        # file, so that the resumed run tries again.
        return LexfulHTTPError(exc.status, "download failed", exc.method, exc.path)
    # Expired, refused, gone: this URL will not work on a retry either.
    return FileContentError(f"download_url {shown}: download failed (HTTP {exc.status})")


def _check(record: dict[str, Any], content: FileContent) -> None:
    declared = declared_size(record)
    if declared is not None and declared != content.size:
        msg = f"content is {content.size} bytes but the record declares size {declared}"
        raise FileContentError(msg)
    sha = record.get("sha256")
    if sha and str(sha).lower() != content.sha256:
        msg = "content does not match the record's sha256"
        raise FileContentError(msg)


def declared_size(record: dict[str, Any]) -> int | None:
    """The record's ``size``, if it has one; FileContentError if it is not a number."""
    value = record.get("size")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        msg = f"size {str(value)[:40]!r} is not a number of bytes"
        raise FileContentError(msg) from None
