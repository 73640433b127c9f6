"""The id map's lock: one run at a time per id-map file, held for the run's duration.

Two runs on one id map would each decide "create" for the same record (and SQLite would stop
one of them mid-run, "database is locked"). The second run stops at once instead, before it
reads any input, with one line naming the file and the run that holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class IdMapBusy(SystemExit):
    """Another run holds the id map: this one stops with one line (exit status 1)."""


def lock_id_map(path: Path) -> IO[str]:
    """Lock ``path`` for this process until the returned file is closed."""
    lock_path = path.with_name(path.name + ".lock")
    handle = lock_path.open("a+", encoding="utf-8")
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
