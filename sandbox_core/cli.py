"""What every ``<profile>-sandbox serve`` shares: its flags, its options, and serving them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import fields
from typing import Any, Protocol, TypeVar

from sandbox_core.faults import Faults
from sandbox_core.server import api_url, bind, serve_forever
from sandbox_core.variants import UnknownVariant, VariantRegistry

F = TypeVar("F", bound=Faults)
OptionsT = TypeVar("OptionsT", bound="ServeOptions")
S = TypeVar("S", bound="StoreOwner")
C = TypeVar("C")


class ServeOptions(Protocol):
    """The part of a profile's ``Options`` dataclass the core reads to serve."""

    host: str
    port: int


class StoreOwner(Protocol):
    """A profile's server state, as far as serving goes: it holds a store to close."""

    @property
    def store(self) -> Any: ...


HELP = {
    "latency_ms": "added to every answer",
    "jitter_ms": "random extra latency, up to",
    "error_rate": "share of 500/502/503",
    "rate_limit": "requests/s, then 429 with Retry-After; 0: none",
    "drop_rate": "share of dropped sockets",
}


def add_fault_flags(
    parser: argparse.ArgumentParser, faults: Faults, helps: dict[str, str] | None = None
) -> None:
    """One ``--name-with-dashes`` float flag per field of ``faults``, defaulting to its value."""
    texts = {**HELP, **(helps or {})}
    for f in fields(faults):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(faults, f.name)
        parser.add_argument(flag, type=float, default=default, help=texts.get(f.name, f.name))


def faults_from(args: argparse.Namespace, faults_type: type[F]) -> F:
    values: dict[str, Any] = {f.name: getattr(args, f.name) for f in fields(faults_type)}
    return faults_type(**values)


def add_server_flags(parser: argparse.ArgumentParser) -> None:
    """``--host``, ``--port``, ``--db`` and ``--admin``: how and where a sandbox serves."""
    parser.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", default=None, help="sqlite file; in memory when absent")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="enable /_admin/faults, /_admin/stats, /_admin/clock, /_admin/accounts",
    )


def add_variant_flag(parser: argparse.ArgumentParser, registry: VariantRegistry) -> None:
    """``--variant NAME``, repeatable, checked against the profile's declared variants."""
    names = ", ".join(registry.names) or "none declared"

    def checked(name: str) -> str:
        try:
            return registry.parse(name)
        except UnknownVariant as exc:  # argparse shows this message as it is, in one line
            raise argparse.ArgumentTypeError(str(exc)) from None

    parser.add_argument(
        "--variant",
        dest="variants",
        action="append",
        default=[],
        type=checked,
        metavar="NAME",
        help=f"behave as the real API plausibly might (repeatable): {names}; "
        "'variants' lists what each changes",
    )


def serve_parser(
    prog: str, description: str | None, variants: VariantRegistry | None = None
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The ``<prog> serve`` command line with the server flags; returns it and ``serve``.

    With a registry, ``serve`` also takes ``--variant NAME`` and ``<prog> variants`` lists
    the declared variants (``list_variants``).
    """
    root = argparse.ArgumentParser(prog=prog, description=description)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server")
    add_server_flags(serve)
    if variants is not None:
        add_variant_flag(serve, variants)
        listing = commands.add_parser("variants", help="list the variants serve --variant takes")
        listing.set_defaults(registry=variants)
    return root, serve


def list_variants(args: argparse.Namespace) -> bool:
    """For ``<prog> variants``: print one line per declared variant; True when it did."""
    registry = getattr(args, "registry", None)
    if args.command != "variants" or not isinstance(registry, VariantRegistry):
        return False
    print(registry.describe())
    return True


def options_from(
    args: argparse.Namespace, options_type: type[OptionsT], faults_type: type[Faults]
) -> OptionsT:
    """An ``Options`` dataclass from the parsed flags: each field from the flag of its name.

    ``harness.child_args`` is the inverse, so a profile adds an option by adding a field
    and a flag, nothing else.
    """
    # A dataclass by contract; the Protocol bound cannot say so, hence the ignore.
    names = [f.name for f in fields(options_type) if f.name != "faults"]  # type: ignore[arg-type]
    values: dict[str, Any] = {name: getattr(args, name) for name in names}
    if isinstance(values.get("variants"), list):
        values["variants"] = tuple(values["variants"])
    values["faults"] = faults_from(args, faults_type)
    return options_type(**values)


def serve(
    options: OptionsT,
    prepare: Callable[[OptionsT], tuple[S, C]],
    build_app: Callable[[S], Any],
    credentials: Callable[[C, str], dict[str, Any]],
) -> None:
    """Prepare the state, print the first account's credentials, serve until stopped.

    With ``--admin`` the line also holds ``admin_token``, which ``/_admin`` asks for."""
    state, first = prepare(options)
    sock = bind(options.host, options.port)
    line = credentials(first, api_url(sock))
    if getattr(state, "admin", False):
        line = {**line, "admin_token": state.admin_token}  # type: ignore[attr-defined]
    try:
        serve_forever(build_app(state), sock, line)
    finally:
        state.store.close()
    sys.exit(0)
