"""``lightfield-sandbox serve``: a local Lightfield API; the first stdout line is
``{"api_url", "api_key"}``."""

from __future__ import annotations

import argparse
import sys

from connector_core.sandbox.cli import add_fault_flags, add_server_flags, faults_from
from connector_core.sandbox.server import api_url, bind, serve_forever
from lightfield_api.contract import RATE_LIMIT_PER_S
from lightfield_sandbox.http.app import build_app
from lightfield_sandbox.http.faults import LightfieldFaults
from lightfield_sandbox.http.server import Options, prepare
from lightfield_sandbox.resources.workspaces import credentials


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lightfield-sandbox", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server")
    add_server_flags(serve)
    serve.add_argument("--seed", default="demo", choices=["demo", "none"], help="demo data or none")
    serve.add_argument("--seed-random", type=int, default=1, help="seed of the key and demo data")
    # Like the real API, 25 requests/s per category unless told otherwise (0: no limit).
    defaults = LightfieldFaults(rate_limit=RATE_LIMIT_PER_S)
    add_fault_flags(serve, defaults, {"index_lag_ms": "lists show a write this much later"})
    return root


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        host=args.host,
        port=args.port,
        db=args.db,
        seed=args.seed,
        seed_random=args.seed_random,
        admin=args.admin,
        faults=faults_from(args, LightfieldFaults),
    )


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    options = options_from(args)
    state, key = prepare(options)
    sock = bind(options.host, options.port)
    try:
        serve_forever(build_app(state), sock, credentials(key, api_url(sock)))
    finally:
        state.store.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
