"""The console scripts ``source-lexful`` and ``destination-lexful``.

``source-lexful read`` starts tap-lexful from its files before it imports airbyte-cdk. The
CDK's import takes about a second, as long as the tap's own start-up: started first, the two
overlap instead of adding up, which is most of what the adapter would cost a sync.
``SourceLexful.read`` takes that tap when the CDK hands it the same inputs, and starts its own
otherwise, so the shortcut never changes what is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from airbyte_lexful.mapping import tap_inputs
from airbyte_lexful.singer import SingerProcess, TapInputs


def source_main() -> None:
    argv = sys.argv[1:]
    prestarted = _prestart_read(argv)
    try:
        # Imported here, while the tap starts: the point of the prestart.
        from airbyte_cdk.entrypoint import launch  # noqa: PLC0415

        from airbyte_lexful.source import SourceLexful  # noqa: PLC0415

        launch(SourceLexful(prestarted), argv)
    finally:
        if prestarted is not None:
            prestarted[1].close()


def destination_main() -> None:
    from airbyte_lexful.destination import DestinationLexful  # noqa: PLC0415

    DestinationLexful().run(sys.argv[1:])


def _prestart_read(argv: list[str]) -> tuple[TapInputs, SingerProcess] | None:
    """The tap of a ``read``, started from its files; None for another command."""
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
        inputs = tap_inputs(config, configured, states or [])
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None  # the CDK reads the files again, and says what is wrong with them
    return inputs, inputs.start()
