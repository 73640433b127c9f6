"""A probe of a real account: each assumption the connectors rest on, what the API did, and
what the connectors will do about it.

A profile's probe (``lexful-probe``, ``lightfield-probe``...) is a short list of checks, each
a function that makes a bounded handful of read-only requests and returns a ``Check``:

- ``assumption``: what the connectors assume (the contract's [A], in one line);
- ``observed``: what the API did;
- ``verdict``: ``works as is``, ``adapts`` (a fallback the connectors take by themselves),
  ``needs a setting`` (name it in ``action``) or ``unsupported`` (the connectors stop);
  ``not checked`` when the check could not run (its error is ``observed``);
- ``action``: what the connectors will do, or the setting that adapts them.

``run_checks`` runs them in order, each failure kept as its own row; ``render_table`` and
``render_json`` print the report, every text passed through ``scrub_text``: no registered
secret (``connector_core.scrub``), no bearer token, no query string of a URL (a presigned
URL's signature is in it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from singer_sdk.exceptions import ConfigValidationError

from connector_core import scrub
from connector_core.settings import check_api_url

#: The probe's request budget: one try per request (no retry, no backoff), each answered within
#: this many seconds or reported as a timeout; a dozen requests then end within seconds even
#: against a slow server.
PROBE_TIMEOUT_S = 3.0
PROBE_MAX_TRIES = 1
#: The action of a row that works as is, the same words in every probe.
NOTHING = "nothing to do"
#: What a row that stops the probe ends its action with (the table's last line says it once).
STOPPED = "; the probe stopped"
#: How a ``not checked`` row's observation starts (docs/probe.md).
NOT_OBSERVABLE = "not observable: "


class Verdict(str, Enum):
    """What the connectors will do about one assumption, as the API answered."""

    WORKS = "works as is"
    ADAPTS = "adapts"
    SETTING = "needs a setting"
    UNSUPPORTED = "unsupported"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Check:
    """One assumption, probed."""

    key: str  # a short stable name, e.g. "sort.two-keys"
    assumption: str
    observed: str
    verdict: Verdict
    action: str


#: One check to run: its key and assumption (for the row of a check that fails), and the
#: function that probes it.
@dataclass(frozen=True)
class Step:
    """A check to run: ``probe()`` returns its ``Check``; an exception becomes ``not checked``."""

    key: str
    assumption: str
    probe: Callable[[], Check]


class Stop(Exception):
    """Raised by a check when nothing after it can run (the API cannot be reached, refuses
    the key, or is not the API): its row ends the report, and the probe exits 1."""

    def __init__(self, check: Check) -> None:
        super().__init__(check.observed)
        self.check = check


def unreachable(error: Exception, api_url: str, waited_s: float, setting: str = "api_url") -> Check:
    """The row of a request that got no answer: refused, unknown host, or no answer within
    ``PROBE_TIMEOUT_S`` (``waited_s``: how long the check waited)."""
    text = str(error)
    if "Timeout" in text or waited_s >= PROBE_TIMEOUT_S * 0.9:
        observed = f"no answer within {PROBE_TIMEOUT_S:g} s ({text})"
    else:
        observed = f"cannot reach the API ({text})"
    action = f"check {setting} ({mask_userinfo(api_url)}) and the network{STOPPED}"
    return Check("api", "the API answers at api_url", observed, Verdict.UNSUPPORTED, action)


def not_the_api(status: int, content_type: str, setting: str = "api_url") -> Check | None:
    """The row of an answer that is not the API's JSON (an HTML page of a proxy or a web
    server); None when the answer is JSON."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if "json" in kind:
        return None
    what = "HTML" if "html" in kind else (kind or "no content type")
    observed = f"not the API ({what} answer, status {status})"
    action = f"check {setting}: it does not lead to the API{STOPPED}"
    return Check("api", "the API answers JSON at api_url", observed, Verdict.UNSUPPORTED, action)


@dataclass
class Report:
    """What a probe found: the API, each check in order, how many requests, how long."""

    api: str
    api_url: str
    checks: list[Check] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    stopped: bool = False  # a check found that nothing after it could run

    def verdicts(self) -> dict[str, Verdict]:
        return {c.key: c.verdict for c in self.checks}

    @property
    def blocking(self) -> list[Check]:
        """The checks a run cannot pass as things are: a setting is needed, or unsupported."""
        return [c for c in self.checks if c.verdict in (Verdict.SETTING, Verdict.UNSUPPORTED)]


def run_checks(
    api: str,
    api_url: str,
    steps: Sequence[Step],
    stop_on: Callable[[Exception, float], Check | None] | None = None,
) -> Report:
    """Run each step in order; a step that raises is a ``not checked`` row with its error,
    unless it raised ``Stop`` or ``stop_on`` makes a row of its error and the seconds the step
    waited (no answer from the API): then that row ends the report."""
    report = Report(api=api, api_url=mask_userinfo(api_url))
    started = time.monotonic()
    for step in steps:
        step_started = time.monotonic()
        try:
            check = step.probe()
        except Stop as stop:
            report.checks.append(stop.check)
            report.stopped = True
            break
        except Exception as exc:  # one check failing must not hide the others
            waited = time.monotonic() - step_started
            stopping = stop_on(exc, waited) if stop_on is not None else None
            if stopping is not None:
                report.checks.append(stopping)
                report.stopped = True
                break
            text = f"{NOT_OBSERVABLE}the check failed ({type(exc).__name__}: {exc})"
            check = Check(step.key, step.assumption, text, Verdict.NOT_CHECKED, "see the error")
        report.checks.append(_documented(check))
    report.seconds = round(time.monotonic() - started, 3)
    return report


# A URL's query string: where a presigned signature (and any token in a URL) lives.
_URL_QUERY = re.compile(r"(https?://[^\s?#\"'<>]+)\?[^\s#\"'<>]*")
# A signature-like parameter outside a URL (X-Amz-Signature=..., sig=...).
_SIGNED_PARAM = re.compile(
    r"(?i)\b(x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|"
    r"signature|sig|token|access_token|secret|key)=[^&\s\"']+"
)


# The user:password@ of a URL.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s\"'<>]+@")


def mask_userinfo(url: str) -> str:
    """A URL without the ``user:password@`` it may carry."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{scrub.MASK}@", url)


def scrub_text(text: Any) -> str:
    """A text fit for a report: one line, no secret, no bearer token, no query string, no
    userinfo of a URL."""
    cleaned = mask_userinfo(scrub.clean(text))
    cleaned = _URL_QUERY.sub(lambda m: f"{m.group(1)}?{scrub.MASK}", cleaned)
    return _SIGNED_PARAM.sub(lambda m: f"{m.group(1)}={scrub.MASK}", cleaned)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, Enum):
        return scrub_text(value.value)
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def render_json(report: Report) -> str:
    """The report as JSON (for a bug report): every string scrubbed."""
    body = asdict(report)
    body["checks"] = [{**asdict(c), "verdict": c.verdict.value} for c in report.checks]
    return json.dumps(_scrubbed(body), indent=2)


_COLUMNS = (("assumption", 34), ("what the API did", 34), ("verdict", 15), ("what we do", 40))


def render_table(report: Report) -> str:
    """The report as a plain-text table, columns wrapped; every cell scrubbed."""
    rows = [(c.assumption, c.observed, c.verdict.value, c.action) for c in report.checks]
    header = " | ".join(name.ljust(width) for name, width in _COLUMNS)
    lines = [
        f"{scrub_text(report.api)} probe of {scrub_text(report.api_url)}: "
        f"{_count(len(report.checks), 'check')}, {_count(report.requests, 'request')}, "
        f"{report.seconds:.1f} s",
        header,
        "-+-".join("-" * width for _, width in _COLUMNS),
    ]
    for row in rows:
        cells = [
            textwrap.wrap(scrub_text(text), width) or [""]
            for text, (_, width) in zip(row, _COLUMNS, strict=True)
        ]
        for i in range(max(len(c) for c in cells)):
            parts = [
                (cell[i] if i < len(cell) else "").ljust(width)
                for cell, (_, width) in zip(cells, _COLUMNS, strict=True)
            ]
            lines.append(" | ".join(parts).rstrip())
    blocking = report.blocking
    if report.stopped and report.checks:
        last = report.checks[-1]
        action = last.action.removesuffix(STOPPED)
        lines.append(f"stopped: {scrub_text(last.observed)}; {scrub_text(action)}")
    elif blocking:
        lines.append(
            f"{len(blocking)} to act on before a real run: " + ", ".join(c.key for c in blocking)
        )
    else:
        lines.append("nothing to act on: the connectors work as is or adapt by themselves")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _documented(check: Check) -> Check:
    """A row in the documented form: a ``not checked`` row says ``not observable: ...``
    and what to do; a row that works as is says ``nothing to do``, in every probe alike."""
    observed, action = check.observed, check.action.strip()
    if check.verdict is Verdict.NOT_CHECKED:
        if not observed.startswith(NOT_OBSERVABLE):
            observed = NOT_OBSERVABLE + observed
        action = action or "run the probe again; if it persists, report the row"
    elif check.verdict is Verdict.WORKS and action in ("", "nothing"):
        action = NOTHING
    if (observed, action) == (check.observed, check.action):
        return check
    return Check(check.key, check.assumption, observed, check.verdict, action)


def probe_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """``<prog> --config FILE [--format table|json]``: what every probe command takes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--config",
        action="append",
        required=True,
        metavar="FILE",
        help="the tap's config JSON (repeatable; later files win)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


class BadConfig(ValueError):
    """A config file that cannot be read, is not JSON, or lacks a setting the probe needs."""


def load_config(paths: Sequence[str]) -> dict[str, Any]:
    """The config files merged, later ones winning; a bad file is a one-line ``BadConfig``."""
    config: dict[str, Any] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = json.load(handle)
        except OSError as exc:
            msg = f"config {path}: {exc.strerror or exc}"
            raise BadConfig(msg) from None
        except ValueError as exc:
            msg = f"config {path}: not valid JSON ({exc})"
            raise BadConfig(msg) from None
        if not isinstance(loaded, dict):
            msg = f"config {path}: not a JSON object"
            raise BadConfig(msg)
        config.update(loaded)
    return config


def probe_config(
    parser: argparse.ArgumentParser, paths: Sequence[str], required: Sequence[str]
) -> dict[str, Any]:
    """The config of a probe's command line, or exit 2 with one line (documented: a bad
    command line or config): a file unread or not JSON, a ``required`` setting missing, an
    ``api_url`` with a user name or password."""
    try:
        config = load_config(paths)
        missing = [key for key in required if not config.get(key)]
        if missing:
            msg = f"the config lacks {', '.join(missing)}"
            raise BadConfig(msg)
        check_api_url(config.get("api_url"))
    except BadConfig as exc:
        parser.exit(2, f"{parser.prog}: {scrub_text(str(exc))}\n")
    except ConfigValidationError as exc:
        parser.exit(2, f"{parser.prog}: {scrub_text(str(exc))}\n")
    return config


def print_report(report: Report, fmt: str) -> int:
    """Print the report; the exit code is 0 unless something needs acting on (then 1)."""
    print(render_json(report) if fmt == "json" else render_table(report))
    sys.stdout.flush()
    return 1 if report.blocking else 0
