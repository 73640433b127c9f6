"""``lightfield-sandbox serve``: a local Lightfield API; the first stdout line is
``{"api_url", "api_key"}``."""

from __future__ import annotations

import argparse

from lightfield_api.contract import RATE_LIMIT_PER_S
from lightfield_sandbox.common.variants import REGISTRY
from lightfield_sandbox.http.app import build_app
from lightfield_sandbox.http.faults import LightfieldFaults
from lightfield_sandbox.http.server import Options, prepare
from lightfield_sandbox.resources.workspaces import credentials
from sandbox_core.cli import add_fault_flags, list_variants, serve, serve_parser
from sandbox_core.cli import options_from as core_options_from


def parser() -> argparse.ArgumentParser:
    root, command = serve_parser("lightfield-sandbox", __doc__, REGISTRY)
    command.add_argument(
        "--seed", default="demo", choices=["demo", "none"], help="demo data or none"
    )
    command.add_argument(
        "--seed-random",
        type=int,
        default=None,
        help="seed of the key and demo data; unset: random (tests pass 1)",
    )
    # Like the real API, 25 requests/s per category unless told otherwise (0: no limit).
    defaults = LightfieldFaults(rate_limit=RATE_LIMIT_PER_S)
    add_fault_flags(command, defaults, {"index_lag_ms": "lists show a write this much later"})
    return root


def options_from(args: argparse.Namespace) -> Options:
    return core_options_from(args, Options, LightfieldFaults)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if list_variants(args):
        return
    serve(options_from(args), prepare, build_app, credentials)


if __name__ == "__main__":
    main()
