"""``lexful-sandbox serve``: a local Lexful API; the first stdout line is its credentials."""

from __future__ import annotations

import argparse

from lexful_sandbox.common.variants import REGISTRY
from lexful_sandbox.http.app import build_app
from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.server import Options, prepare
from lexful_sandbox.resources.accounts import credentials
from sandbox_core.cli import add_fault_flags, list_variants, serve, serve_parser
from sandbox_core.cli import options_from as core_options_from


def parser() -> argparse.ArgumentParser:
    root, command = serve_parser("lexful-sandbox", __doc__, REGISTRY)
    command.add_argument(
        "--seed", default="none", choices=["none", "demo"], help="demo: a believable small account"
    )
    command.add_argument("--seed-scale", type=int, default=0, help="add N assets for benchmarks")
    command.add_argument(
        "--seed-random",
        type=int,
        default=None,
        help="seed of the first account's key and the demo data; unset: random (tests pass 1)",
    )
    add_fault_flags(command, Faults(), {"token_ttl": "token lifetime, seconds"})
    return root


def options_from(args: argparse.Namespace) -> Options:
    return core_options_from(args, Options, Faults)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if list_variants(args):
        return
    serve(options_from(args), prepare, build_app, credentials)


if __name__ == "__main__":
    main()
