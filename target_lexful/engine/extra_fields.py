"""Fields of a source record that Lexful does not have (a CRM's ``email``, ``crm_id``).

``extra_fields: drop`` (the default): left out of what is written, with one warning per stream
and field; ``reject``: the record is rejected, naming the field.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from target_lexful.engine.model import SettingRecordError

DROP, REJECT = "drop", "reject"


class ExtraFields:
    """Drops (warning once per stream and field) or rejects what the destination lacks."""

    def __init__(self, mode: str, logger: logging.Logger) -> None:
        self._mode = mode
        self._logger = logger
        self._lock = threading.Lock()
        self._warned: set[tuple[str, str]] = set()

    def handle(self, stream: str, fields: Iterable[str], where: str) -> None:
        """``fields`` are not fields of ``where``: raise (reject) or warn about new ones."""
        extra = sorted(fields)
        if not extra:
            return
        if self._mode == REJECT:
            msg = f"{', '.join(extra)}: not a field of {where} (extra_fields: reject)"
            # A setting's reject: a stream whose every record has the field ends non-zero.
            raise SettingRecordError(msg)
        with self._lock:
            new = [f for f in extra if (stream, f) not in self._warned]
            self._warned.update((stream, f) for f in new)
        for field in new:
            self._logger.warning(
                "%s: field %r is not a field of %s: dropped (extra_fields: drop; "
                "this warning is given once)",
                stream,
                field,
                where,
            )
