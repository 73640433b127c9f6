"""The id map's lock: one run at a time per id-map file, held for the run's duration.

Two runs on one id map would each decide "create" for the same record (and SQLite would stop
one of them mid-run, "database is locked"). The second run stops at once instead, before it
reads any input, with one line naming the file and the process that holds it.

The lock is the process's: a second ``IdMap`` on the same file in the same process (the
SDK's test suite builds targets without running them to their end) shares it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import IO

from connector_core import safe_files


class IdMapBusy(SystemExit):
    """Another run holds the id map: this one stops with one line (exit status 1)."""


_HELD: dict[Path, tuple[IO[str], int]] = {}  # lock file -> (its open file, users in process)
_GUARD = threading.Lock()


class IdMapLock:
    """Held from construction to ``release`` (a second release does nothing)."""

    def __init__(self, path: Path) -> None:
        # The directory resolved, the lock's own name not: a link planted there is refused.
        self._lock_path = path.parent.resolve() / (path.name + ".lock")
        self._held = False
        with _GUARD:
            handle, users = _HELD.get(self._lock_path) or (_take(path, self._lock_path), 0)
            _HELD[self._lock_path] = (handle, users + 1)
        self._held = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        with _GUARD:
            handle, users = _HELD.pop(self._lock_path)
            if users > 1:
                _HELD[self._lock_path] = (handle, users - 1)
            else:
                handle.close()  # releases the lock


def _take(path: Path, lock_path: Path) -> IO[str]:
    # 0600, never through a symlink planted at the lock's name (it would get our pid).
    try:
        fd = safe_files.open_private(lock_path, os.O_RDWR)
    except safe_files.UnsafePath as exc:
        raise safe_files.Refused(f"id map lock: {exc}") from None
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        msg = (
            f"id map {path} is in use by another run (pid {holder}): one run at a time per "
            "id map; wait for it to end (or give each destination account its own id_map_path)"
        )
        raise IdMapBusy(msg) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
