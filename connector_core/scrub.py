"""Secrets scrubbed at every exit: log records, exception messages, tracebacks, adapter traces.

A peer may echo a request (an error body quoting the key secret or the bearer token), and a
name from the API may hold a newline or a terminal escape. So, whatever a message's source:

- every configured secret (``register``: the settings marked secret, each bearer token when it
  is fetched) and anything after ``Bearer`` is replaced by ``****``; and so are the forms a
  peer echoes it in: URL-encoded (``quote``, ``quote_plus``), base64 (standard and URL-safe,
  with or without padding, and inside a longer base64 text such as a Basic header), JSON-escaped
  (``\\/``, ``\\uXXXX``), and split by whitespace or an escaped line break (a wrapped line);
- control characters are escaped (``\\n`` shown as ``\\x0a``): a message is one line, and a
  peer's text cannot forge another log line or drive a terminal.

``install`` puts this in Python's log record factory, so it holds for every logger (the SDK's,
the API packages', urllib3's) and for the traceback of a logged exception; and in
``sys.excepthook``, for an exception that ends the process. ``clean`` is the same for text that
leaves by another way (an error message, an Airbyte trace).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "****"
#: The longest peer text (an error body) told in a message.
MAX_PEER_TEXT = 300
# A bearer token, whoever's: the scheme word and what follows it.
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=\-]+")
# C0 and C1 controls and DEL; a tab stays (it cannot forge a line).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_MIN_SECRET = 4  # shorter values (a test's "x") would mask half of every line


_MIN_ENCODED = 6  # a base64 fragment shorter than this would match unrelated text
# Between two characters of a wrapped secret: whitespace, or an escaped line break.
_GAP = r"(?:\s|\\[nrt])*"


class _Registry:
    lock = threading.Lock()
    secrets: tuple[str, ...] = ()
    # One pattern per secret (its forms), longest secret first; compiled once, when it is
    # registered: a single pattern of every secret, compiled again at each registration,
    # took seconds once a process (a test session) had registered a few dozen.
    patterns: tuple[re.Pattern[str], ...] = ()
    compiled: dict[str, re.Pattern[str]] = {}  # noqa: RUF012 - the registry's own cache
    installed = False


def encodings(secret: str) -> set[str]:
    """The forms a peer may echo ``secret`` in (the secret itself among them)."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    escaped = json.dumps(secret)[1:-1]
    forms |= {escaped, escaped.replace("/", "\\/"), json.dumps(secret, ensure_ascii=False)[1:-1]}
    raw = secret.encode()
    for shift in range(3):  # the secret at any offset of a longer base64 text
        text = base64.b64encode(b"\0" * shift + raw).decode()
        core = text[-(-8 * shift // 6) : (8 * (shift + len(raw))) // 6]
        if len(core) >= _MIN_ENCODED:
            forms |= {core, core.translate(_URLSAFE)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode()
        forms |= {whole, whole.rstrip("=")}
    return {form for form in forms if len(form) >= _MIN_SECRET}


_URLSAFE = str.maketrans("+/", "-_")


def _wrapped(secret: str) -> str:
    """``secret`` even when whitespace or an escaped line break splits it."""
    return _GAP.join(re.escape(char) for char in secret)


def register(*values: Any) -> None:
    """Mask these values wherever they appear from now on (each a secret: a key, a token)."""
    new = {str(v) for v in values if isinstance(v, str) and len(v) >= _MIN_SECRET}
    with _Registry.lock:
        if new - set(_Registry.secrets):
            # Longest first: a secret that contains another is masked whole.
            known = set(_Registry.secrets) | new
            _Registry.secrets = tuple(sorted(known, key=len, reverse=True))
            for secret in new - set(_Registry.compiled):
                forms = sorted(encodings(secret), key=len, reverse=True)
                _Registry.compiled[secret] = re.compile("|".join(_wrapped(f) for f in forms))
            _Registry.patterns = tuple(_Registry.compiled[s] for s in _Registry.secrets)


def mask(text: str) -> str:
    """``text`` without a registered secret (in any of its ``encodings``) or a bearer token
    (line breaks kept)."""
    for pattern in _Registry.patterns:
        text = pattern.sub(MASK, text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


def escape(text: str) -> str:
    """Control characters shown as ``\\xNN``: one line, no terminal escape."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def clean(text: Any, limit: int | None = None) -> str:
    """One line, no secret, at most ``limit`` characters: how a peer's text is told."""
    shown = escape(mask(str(text)))
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + "...(cut)"
    return shown


def peer_text(text: Any) -> str:
    """An error body or another text a peer sent, as a message may quote it."""
    return clean(text, MAX_PEER_TEXT)


def _clean_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: told as it is, cleaned
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = clean(message), None
    if record.exc_info and record.exc_info[0] is not None:
        # Formatted now, so that the formatter uses this cleaned text (it caches exc_text).
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = "\n".join(clean(line) for line in mask(text).splitlines())
        record.exc_info = None
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


def install() -> None:
    """Clean every log record from now on, and the traceback of an uncaught exception."""
    with _Registry.lock:
        if _Registry.installed:
            return
        _Registry.installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _clean_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    sys.excepthook = _excepthook(sys.excepthook)


def _excepthook(
    previous: Callable[[type[BaseException], BaseException, TracebackType | None], Any],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], Any]:
    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if previous is not sys.__excepthook__:
            previous(kind, value, tb)  # someone else's hook (the CDK's): it cleans its own
            return
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write("\n".join(clean(line) for line in mask(text).splitlines()) + "\n")

    return hook
