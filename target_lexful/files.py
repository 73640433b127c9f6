"""File content for the three-step upload: from base64, a local path or a download URL.

Content is never held whole in memory when it comes from a path or a URL: a download is
streamed to a temporary file while its size and SHA-256 are computed, and the upload body is
a callable that opens a fresh stream, so that LexfulClient can retry the PUT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lexful_api import LexfulClient, contract

_CHUNK = 1 << 16
DEFAULT_MIME = "application/octet-stream"


class FileContentError(ValueError):
    """The record's content is missing, unreadable, or not what the record declares."""


@dataclass
class FileContent:
    size: int
    sha256: str
    opener: Callable[[], IO[bytes]]
    _temp: Path | None = field(default=None, repr=False)

    def discard(self) -> None:
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


def load_content(record: dict[str, Any], client: LexfulClient) -> FileContent:
    """The bytes a ``files`` record points at, checked against its ``size`` and ``sha256``."""
    if record.get("content_base64") is not None:
        content = _from_base64(record["content_base64"])
    elif record.get("local_path"):
        content = _from_path(Path(record["local_path"]))
    elif record.get("download_url"):
        content = _from_url(record["download_url"], client)
    elif record.get("upload_status") not in (None, "completed"):
        msg = f"the source file was never uploaded (upload_status {record['upload_status']!r})"
        raise FileContentError(msg)
    else:
        msg = (
            "file record has no content: give content_base64, local_path or download_url "
            "(tap-lexful: files_content inline or directory)"
        )
        raise FileContentError(msg)
    try:
        _check(record, content)
    except FileContentError:
        content.discard()
        raise
    return content


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


def _from_path(path: Path) -> FileContent:
    if not path.is_file():
        msg = f"local_path {str(path)!r} is not a readable file"
        raise FileContentError(msg)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return FileContent(path.stat().st_size, digest.hexdigest(), lambda: path.open("rb"))


def _from_url(url: str, client: LexfulClient) -> FileContent:
    # A presigned download URL: no auth headers; LexfulClient keeps its query out of errors.
    response = client.request("GET", url, authenticated=False, stream=True)
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
    except BaseException:
        temp.unlink(missing_ok=True)  # a download cut short leaves no temporary file behind
        raise
    finally:
        response.close()
    return FileContent(size, digest.hexdigest(), lambda: temp.open("rb"), temp)


def _check(record: dict[str, Any], content: FileContent) -> None:
    declared = record.get("size")
    if declared is not None and int(declared) != content.size:
        msg = f"content is {content.size} bytes but the record declares size {declared}"
        raise FileContentError(msg)
    sha = record.get("sha256")
    if sha and str(sha).lower() != content.sha256:
        msg = "content does not match the record's sha256"
        raise FileContentError(msg)
