"""The console scripts ``source-lexful`` and ``destination-lexful``.

``source-lexful read`` runs without airbyte-cdk when its files are well formed: the CDK
imports all of itself at once (about 1.3 s of CPU, as long as the tap's whole 30k-record
sync), and a read needs none of it. It starts tap-lexful, translates its messages with the
same ``ReadSession`` as ``SourceLexful.read`` and prints them as JSON (``protocol``); a failed
tap ends it with an ERROR trace and exit code 1, as the CDK's exception hook would. Files the
adapter cannot read, and every other command, go to the CDK, which says what is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from airbyte_lexful import protocol
from airbyte_lexful.mapping import tap_inputs, well_formed_catalog
from airbyte_lexful.read import ReadSession
from airbyte_lexful.singer import SingerFailedError, TapInputs

FLUSH_AT = 1 << 16  # bytes: one write per 64 KiB of messages, not one per message
STATE = b'{"type":"STATE"'


def source_main() -> None:
    argv = sys.argv[1:]
    inputs = _read_inputs(argv)
    if inputs is not None:
        sys.exit(read(*inputs, sys.stdout.buffer))
    from airbyte_lexful.source import launch  # noqa: PLC0415  (see the module's docstring)

    launch(argv)


def destination_main() -> None:
    from airbyte_lexful.destination import DestinationLexful  # noqa: PLC0415

    DestinationLexful().run(sys.argv[1:])


def _read_inputs(argv: list[str]) -> tuple[TapInputs, dict[str, Any]] | None:
    """The tap's inputs and the configured catalog of a ``read``; None for another command
    or for files that are not what a read expects."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("command", nargs="?")
    for option in ("--config", "--catalog", "--state"):
        parser.add_argument(option)
    args, _ = parser.parse_known_args(argv)
    if args.command != "read" or not args.config or not args.catalog:
        return None
    try:
        config = json.loads(Path(args.config).read_text())
        configured = json.loads(Path(args.catalog).read_text())
        states = json.loads(Path(args.state).read_text()) if args.state else []
        if not well_formed_catalog(configured) or not isinstance(states or [], list):
            return None
        return tap_inputs(config, configured, states or []), configured
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None


def read(inputs: TapInputs, configured: Mapping[str, Any], out: BinaryIO) -> int:
    """One ``read``, printed to ``out``; its exit code."""
    buffer = bytearray()
    tap = inputs.start()
    try:
        for line in ReadSession.of(inputs, configured).messages(tap):
            buffer += line
            # A state goes out at once: a destination commits what came before it.
            if len(buffer) >= FLUSH_AT or line.startswith(STATE):
                _write(out, buffer)
    except SingerFailedError as exc:
        failure = protocol.CONFIG_ERROR if exc.config_error else protocol.SYSTEM_ERROR
        buffer += protocol.line(protocol.error_trace(exc.reason, str(exc), failure))
        return 1
    except Exception as exc:  # any failure ends as the CDK's exception hook ends it
        buffer += protocol.line(protocol.error_trace(str(exc), repr(exc), protocol.SYSTEM_ERROR))
        return 1
    finally:
        _write(out, buffer)
        tap.close()
    return 0


def _write(out: BinaryIO, buffer: bytearray) -> None:
    out.write(buffer)
    out.flush()
    buffer.clear()
