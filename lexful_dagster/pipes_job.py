"""The Dagster Pipes side of a partition: run ``meltano run`` and report what it did.

Dagster starts this module (``python -m lexful_dagster.pipes_job``) with
``PipesSubprocessClient``; the command comes in the Pipes extras, the environment (the secret
among it) from the client. Meltano's log is passed through to this process's stderr, which
Dagster keeps with the run, and read on the way for tap-lexful's summary line of each stream
(``Stream 'x' done: N records``, N what the tap sent after its stream maps; a parent read only
for its children says 0). On success the asset's materialization is reported with the
records per stream; on failure the end of the log goes to Dagster's event log and the exit
code is Meltano's, which fails this partition and no other.

Only ``dagster_pipes`` is imported: the subprocess needs none of Dagster itself.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster_pipes import PipesContext, open_dagster_pipes

# Only the tap's own summary line (``connector_core.tap.runtime.Progress.summary``), as it is
# printed: at INFO, first in its message (after the SDK's ``| INFO | logger |`` or Meltano's
# ``[info ] plugin``), a stream name of [a-z0-9_] and the whole summary. A peer's text
# elsewhere in a line (a property name, an error body) is not read.
STREAM_DONE = re.compile(
    r"(?:\| INFO +\| [\w.-]+ *\| |\[info +\] [\w.-]+ +)"
    r"Stream '([a-z0-9_]+)' done: (\d+) records"
    r"(?: \(\d+ read(?:, walked for children)?\))?"
    r"(?: from \d+ parents)?, \d+ requests, \d+ retries, [\d.]+ s(?:;|\s|$)"
)
_TAIL_LINES = 40


@dataclass
class Outcome:
    """What one ``meltano run`` did: its exit code, records per stream, the end of its log."""

    exit_code: int
    seconds: float
    records: dict[str, int] = field(default_factory=dict)
    tail: list[str] = field(default_factory=list)


def read_log(lines: Iterable[str], echo: Any) -> tuple[dict[str, int], list[str]]:
    """Records per stream from the summary lines, and the last lines; echoes every line."""
    records: dict[str, int] = {}
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    for line in lines:
        echo.write(line)
        tail.append(line.rstrip("\n"))
        match = STREAM_DONE.search(line)
        if match:
            records[match.group(1)] = records.get(match.group(1), 0) + int(match.group(2))
    echo.flush()
    return records, list(tail)


def run_meltano(command: Sequence[str], env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``command``, its stdout and stderr read as one log; ``env`` added to this one's."""
    start = time.monotonic()
    child = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        env={**os.environ, **(env or {})},
    )
    assert child.stdout is not None
    try:
        records, tail = read_log(child.stdout, sys.stderr)
        exit_code = child.wait()
    except KeyboardInterrupt:
        # Dagster forwards a run's termination as SIGINT: Meltano gets the chance to stop its
        # plugins and keep the state it has, as under Ctrl-C.
        child.send_signal(signal.SIGINT)
        child.wait()
        raise
    return Outcome(exit_code, time.monotonic() - start, records, tail)


def metadata(outcome: Outcome, extras: Mapping[str, Any]) -> dict[str, Any]:
    """The materialization's metadata, in Pipes' typed form."""
    return {
        "records": {"raw_value": sum(outcome.records.values()), "type": "int"},
        "records_by_stream": {"raw_value": dict(sorted(outcome.records.items())), "type": "json"},
        "exit_code": {"raw_value": outcome.exit_code, "type": "int"},
        "seconds": {"raw_value": round(outcome.seconds, 2), "type": "float"},
        "state_id_suffix": {"raw_value": str(extras["state_id_suffix"]), "type": "text"},
        "organizations": {"raw_value": int(extras["organizations"]), "type": "int"},
        "bound": {"raw_value": str(extras.get("bound") or ""), "type": "text"},
        "moved_in": {"raw_value": int(extras.get("moved_in") or 0), "type": "int"},
    }


def report(pipes: PipesContext) -> int:
    """Run the extras' command, then its passes (assets moved in: ``lexful_dagster.moves``);
    report them to Dagster as one materialization; Meltano's first failing exit code."""
    extras = pipes.extras
    outcome = run_meltano(extras["command"])
    for overrides in extras.get("passes") or []:
        if outcome.exit_code != 0:
            break
        more = run_meltano(extras["pass_command"], overrides)
        for stream, count in more.records.items():
            outcome.records[stream] = outcome.records.get(stream, 0) + count
        seconds = outcome.seconds + more.seconds
        outcome = Outcome(more.exit_code, seconds, outcome.records, more.tail)
    if outcome.exit_code != 0:
        log = "\n".join(outcome.tail)
        pipes.log.error(f"meltano run failed with exit code {outcome.exit_code}:\n{log}")
        return outcome.exit_code
    pipes.report_asset_materialization(metadata=metadata(outcome, extras))
    return 0


def main() -> int:
    with open_dagster_pipes() as pipes:
        return report(pipes)


if __name__ == "__main__":
    sys.exit(main())
