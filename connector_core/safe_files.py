"""Files the connectors write, made so that a planted symlink or a shared machine cannot abuse them.

- a directory the connectors create is 0700, and each one under a configured root is entered
  without following a symlink (``O_NOFOLLOW``): a link planted as ``files_dir/<type>`` cannot
  send the writes elsewhere;
- a new file is written under a fresh random name in its final directory (``O_EXCL``, 0600)
  and renamed over the final name once complete: never through a link planted at a
  predictable name (``<file>.part``), never half-written under the final name;
- a file appended to (rejects, id maps) is opened with ``O_NOFOLLOW`` and made 0600: it holds
  record bodies.

The configured root itself (``files_dir``, the path of a rejects file) is the operator's choice
and is used as it is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class UnsafePath(OSError):
    """A path the connector will not write through (a symlink where a directory should be)."""

    def __str__(self) -> str:
        return str(self.strerror or super().__str__())


def private_dirs(root: str | Path, segments: tuple[str, ...]) -> int:
    """A descriptor of ``root/segments...``, each segment created 0700 and never a symlink.

    ``segments`` must be single, safe names (no separator, not ``..``): the caller makes them.
    """
    Path(root).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for segment in segments:
            if not segment or "/" in segment or segment in (".", ".."):
                msg = f"not a single path segment: {segment!r}"
                raise UnsafePath(msg)
            with contextlib.suppress(FileExistsError):
                os.mkdir(segment, DIR_MODE, dir_fd=fd)
            try:
                child = os.open(segment, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                msg = f"{segment!r} under {root} is not a directory (a symlink?): not written"
                raise UnsafePath(msg) from exc
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_writable_dir(root: str | Path) -> None:
    """``root`` made if missing (0700) and a file written in it and removed: an ``OSError``
    says why it cannot take files."""
    fd = private_dirs(root, ())
    try:
        with new_file(fd, ".write-check"):
            pass
        os.unlink(".write-check", dir_fd=fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def new_file(dir_fd: int, name: str) -> Iterator[BinaryIO]:
    """Write ``name`` in the directory ``dir_fd``: a fresh 0600 file renamed into place once
    the block ends without an error; removed if it raises."""
    temp = f".{name[:80]}.{secrets.token_hex(8)}.part"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    fd = os.open(temp, flags, FILE_MODE, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "w+b") as out:
            yield out
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise


def write_private(path: str | Path, data: bytes) -> None:
    """``data`` as the whole of ``path``: written to a fresh 0600 file beside it, renamed."""
    target = Path(path)
    fd = os.open(target.parent, os.O_RDONLY | _DIRECTORY)
    try:
        with new_file(fd, target.name) as out:
            out.write(data)
    finally:
        os.close(fd)


def open_append(path: str | Path) -> int:
    """A descriptor to append to ``path`` (created 0600; an existing one made 0600); refused
    when ``path`` is a symlink (``UnsafePath``, one line naming it)."""
    return open_private(path, os.O_WRONLY | os.O_APPEND)


def open_private(path: str | Path, flags: int) -> int:
    """``path`` opened with ``flags``, created 0600 if missing (an existing one made 0600);
    ``UnsafePath`` when it is a symlink, dangling or not."""
    try:
        fd = os.open(path, flags | os.O_CREAT | _NOFOLLOW, FILE_MODE)
    except OSError:
        if os.path.islink(path):
            msg = f"{path} is a symbolic link: not written through (remove it, or set another path)"
            raise UnsafePath(errno.ELOOP, msg) from None
        raise
    os.fchmod(fd, FILE_MODE)
    return fd


def touch_private(path: str | Path, what: str) -> None:
    """``path`` created 0600 (an existing one made 0600); ``Refused`` if it is a symlink."""
    try:
        os.close(open_private(path, os.O_WRONLY))
    except UnsafePath as exc:
        raise Refused(f"{what}: {exc}") from None


class Refused(SystemExit):
    """A path the run will not use (a planted symlink): it stops with one line (exit status 1)."""


def default_dir(path: str | Path, setting: str) -> Path:
    """The connector's own default directory (``.target-lexful``), created 0700; refused
    when it is a symlink (someone else's link would receive the id map and rejects)."""
    path = Path(path)
    if path.is_symlink():
        msg = (
            f"{path} is a symbolic link: the default directory is not followed; remove it "
            f"or set {setting} to where the files should go"
        )
        raise Refused(msg)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path
