"""The Singer connectors as child processes: where they are, how they start, what their log says.

Nothing here imports airbyte-cdk: ``source-lexful read`` runs the tap without it (see ``cli``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from connector_core import DISTRIBUTION, STOP_PREFIX, scrub

#: The settings of the connectors marked secret (``mapping.SECRET_SETTINGS`` is the same).
SECRET_KEYS = ("api_key_secret", "proxy_url")

TAP = "tap-lexful"
TARGET = "target-lexful"

# Singer SDK log lines: "2026-11-23 10:00:00,000 | INFO     | tap-lexful | message".
_SDK_LEVELS = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARNING": "WARN",
    "ERROR": "ERROR",
    "CRITICAL": "FATAL",
}
# The last line of a Python traceback: "package.module.SomeError: what went wrong".
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit)): (.+)$")
_CONFIG_ERRORS = ("ConfigValidationError",)
_CONFIG_SUMMARY = "Config validation failed"


def executable(name: str) -> str:
    """The Singer command ``name`` of this environment.

    PyAirbyte starts a connector with a PATH of its own, so PATH is not asked: the Singer
    connectors are installed next to the interpreter that runs the adapter.
    """
    path = Path(sys.executable).parent / name
    if not path.exists():
        msg = f"{name} is not installed next to {sys.executable}: install {DISTRIBUTION} there"
        raise FileNotFoundError(msg)
    return str(path)


@dataclass
class SingerLog:
    """The log of a Singer child, line by line, with the Airbyte level of each line.

    A line without the SDK's prefix (a table row, a traceback) belongs to the line above it.
    The last lines are kept to say why a run failed.
    """

    level: str = "INFO"
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=40))

    def classify(self, line: str) -> str:
        parts = line.split(" | ", 3)
        if len(parts) == 4 and parts[1].strip() in _SDK_LEVELS:
            self.level = _SDK_LEVELS[parts[1].strip()]
        elif line.startswith("Traceback ("):
            self.level = "ERROR"
        self.tail.append(line)
        return self.level

    def failure(self) -> tuple[str, bool]:
        """Why the run failed, in one line, and whether a setting is at fault.

        The SDK logs a sync's error at ERROR and then its own summary ("Config validation
        failed" for a setting); ``--discover`` ends on a traceback instead, whose last line
        holds the message.
        """
        errors = [
            line.split(" | ", 3)[-1]
            for line in self.tail
            if " | ERROR " in line or " | CRITICAL " in line
        ]
        exceptions = [m for line in self.tail if (m := _EXCEPTION_LINE.match(line))]
        config_error = (
            _CONFIG_SUMMARY in errors
            or any(e.startswith(STOP_PREFIX) for e in errors)
            or any(m.group(1).endswith(_CONFIG_ERRORS) for m in exceptions)
        )
        reasons = [e for e in errors if e != _CONFIG_SUMMARY] + [m.group(2) for m in exceptions]
        last = self.tail[-1] if self.tail else "no log"
        return (reasons[0] if reasons else last), config_error


CHUNK = 1 << 20  # bytes a read of a child's output takes at most: thousands of lines


def output_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """A child's stdout, line by line without the line ends, until the child closes it.

    Read from its pipe in chunks of whatever the pipe holds, widened to 1 MiB: one system call
    and one split per chunk, not per line.
    """
    fd = stream.fileno()
    _widen_pipe(fd, CHUNK)
    rest = b""
    while chunk := os.read(fd, CHUNK):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def _widen_pipe(fd: int, size: int) -> None:
    """A pipe of ``size`` bytes where Linux allows it: fewer, larger reads."""
    try:
        import fcntl  # noqa: PLC0415  (POSIX only)

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the 64 KiB pipe still works


class SingerProcess:
    """A Singer connector running as a child process, its inputs in a private directory.

    A thread reads its stderr (the log), so that a chatty log never blocks the child, and hands
    each line with its level to ``on_log``, or keeps it in ``lines`` for the reader of stdout to
    take between two messages. Its stdout is the caller's to read.
    """

    def __init__(
        self,
        name: str,
        inputs: Mapping[str, Any],
        *,
        on_log: Callable[[str, str], None] | None = None,
        flags: tuple[str, ...] = (),
        stdin: bool = False,
    ) -> None:
        self.name = name
        config = inputs.get("--config")
        if isinstance(config, Mapping):  # masked in every trace and log line from here on
            scrub.register(*(config.get(key) for key in SECRET_KEYS))
        self.log = SingerLog()
        self.lines: deque[tuple[str, str]] = deque()
        # The inputs hold the API key: mkdtemp makes a directory only this user can read.
        self._dir = tempfile.TemporaryDirectory(prefix=f"{name}-")
        args = [executable(name), *flags]
        for option, content in inputs.items():
            path = Path(self._dir.name, option.strip("-") + ".json")
            path.write_text(json.dumps(content))
            args += [option, str(path)]
        self._proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._log_thread = threading.Thread(
            target=self._pump_log,
            args=(on_log or self._keep,),
            name=f"{name}-log",
            daemon=True,
        )
        self._log_thread.start()

    @property
    def stdin(self) -> IO[bytes]:
        assert self._proc.stdin is not None
        return self._proc.stdin

    @property
    def stdout(self) -> IO[bytes]:
        assert self._proc.stdout is not None
        return self._proc.stdout

    def _keep(self, level: str, line: str) -> None:
        self.lines.append((level, line))  # deque: safe between this thread and the reader

    def _pump_log(self, on_log: Callable[[str, str], None]) -> None:
        assert self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            on_log(self.log.classify(line), line)

    def wait(self) -> int:
        """The exit code, once the child has exited and its last log line is handed on."""
        code = self._proc.wait()
        self._log_thread.join()
        return code

    def close(self) -> None:
        """Stop the child if it still runs, and remove its inputs."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                # A broken pipe to a child that is gone: there is nothing left to flush.
                with contextlib.suppress(OSError):
                    pipe.close()
        self._log_thread.join(10)
        self._dir.cleanup()


@dataclass(frozen=True)
class TapInputs:
    """What a tap run starts from. Two equal inputs are the same run (see ``cli``)."""

    config: dict[str, Any]
    catalog: dict[str, Any]
    state: dict[str, Any]

    def start(self) -> SingerProcess:
        inputs: dict[str, Any] = {"--config": self.config, "--catalog": self.catalog}
        if self.state:
            inputs["--state"] = self.state
        return SingerProcess(TAP, inputs)


class SingerFailedError(Exception):
    """A Singer child exited with an error; the message is the reason its log gives."""

    def __init__(
        self, name: str, code: int, log: SingerLog, lines: list[tuple[str, str]] | None = None
    ) -> None:
        self.reason, self.config_error = log.failure()
        self.code = code
        self.lines = lines or []  # (level, line) of its log, when nobody has taken them yet
        super().__init__(f"{name} failed (exit code {code}): {self.reason}")


def discover(config: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The tap's Singer catalog (``tap-lexful --discover``), and its log lines."""
    tap = SingerProcess(TAP, {"--config": config}, flags=("--discover",))
    try:
        out = tap.stdout.read()
        code = tap.wait()
    finally:
        tap.close()
    lines = list(tap.lines)
    if code != 0:
        raise SingerFailedError(TAP, code, tap.log, lines)
    catalog: dict[str, Any] = json.loads(out)
    return catalog, lines


def validate_target(config: Mapping[str, Any]) -> None:
    """target-lexful started and given no input: what it checks before its first record (its
    settings, the download hosts, the id map it opens) is checked; nothing is written."""
    target = SingerProcess(TARGET, {"--config": config}, stdin=True)
    try:
        target.stdin.close()
        target.stdout.read()
        code = target.wait()
    finally:
        target.close()
    if code != 0:
        raise SingerFailedError(TARGET, code, target.log, list(target.lines))


def start_target(config: Mapping[str, Any], on_log: Callable[[str, str], None]) -> SingerProcess:
    """target-lexful, reading Singer messages from its stdin."""
    return SingerProcess(TARGET, {"--config": config}, on_log=on_log, stdin=True)
