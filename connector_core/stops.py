"""A run that cannot go on against this API as configured stops in one line.

When the API differs from its contract in a way no fallback covers, but a setting adapts the
connectors to it (tap-lexful's ``emit_deletes: false`` under a one-key sort, target-lightfield's
``match_on`` when list filters are ignored), the plugin raises ``OneLineStop``: the command
line then prints that one line at ERROR and exits 1; no traceback, and not the SDK's second
line ("Config validation failed"). ``OneLineStop`` is a ``ConfigValidationError``, so a
caller that runs the plugin in-process (an Airbyte check, a test) sees what it saw before.

A plugin class takes ``OneLineStopTap`` or ``OneLineStopTarget`` as its base (its ``invoke``
and, for a tap, ``--discover`` are the SDK's, wrapped).

Its ``known_failures`` names the API's failures a run can end on as things are (no answer at
``api_url``, an HTTP error, a refused key): such a failure is one ERROR line too (its message,
scrubbed; no ``STOP_PREFIX``: no setting adapts to it), and exit code 1. Any other exception
keeps its traceback: it is a bug to report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import click
from singer_sdk import Tap, Target
from singer_sdk.exceptions import ConfigValidationError
from typing_extensions import override

from connector_core import scrub

#: What the one line starts with, so that a reader of the log (the Airbyte adapter) tells a
#: setting at fault without the SDK's "Config validation failed".
STOP_PREFIX = "stopped, a setting adapts: "


class OneLineStop(ConfigValidationError):
    """The one line a run stops with: what differs from the contract and the setting that
    adapts the connectors to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, errors=[message])


#: Exception classes a plugin declares as the API's known failures.
Failures = tuple[type[BaseException], ...]


@contextmanager
def _one_line(logger: Any, known: Failures = ()) -> Iterator[None]:
    """A ``OneLineStop`` or a known failure raised inside: its line at ERROR, then exit 1."""
    try:
        yield
    except OneLineStop as stop:
        logger.error("%s%s", STOP_PREFIX, scrub.clean(str(stop)))
        raise click.exceptions.Exit(1) from None
    except known as failure:
        logger.error("%s", scrub.clean(str(failure) or type(failure).__name__))
        raise click.exceptions.Exit(1) from None


class OneLineStopTap(Tap):
    """A tap whose ``OneLineStop`` is one line on the command line, in a sync and at
    ``--discover`` alike; so is any of its ``known_failures``."""

    known_failures: ClassVar[Failures] = ()

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        with _one_line(cls.logger, cls.known_failures):
            super().invoke(**kwargs)

    @classmethod
    @override
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        with _one_line(cls.logger, cls.known_failures):
            super().cb_discover(ctx, param, value)


class OneLineStopTarget(Target):
    """A target whose ``OneLineStop`` (or one of its ``known_failures``) is one line on the
    command line."""

    known_failures: ClassVar[Failures] = ()

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:
        with _one_line(cls.logger, cls.known_failures):
            super().invoke(**kwargs)
