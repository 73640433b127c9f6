"""``lexful-sandbox serve``: a local Lexful API; the first stdout line is its credentials."""

from __future__ import annotations

import argparse
import sys

from connector_core.sandbox.cli import add_fault_flags, add_server_flags, faults_from
from connector_core.sandbox.server import api_url, bind, serve_forever
from lexful_sandbox.http.app import build_app
from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.server import Options, prepare
from lexful_sandbox.resources.accounts import credentials


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lexful-sandbox", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server")
    add_server_flags(serve)
    serve.add_argument(
        "--seed", default="none", choices=["none", "demo"], help="demo: a believable small account"
    )
    serve.add_argument("--seed-scale", type=int, default=0, help="add N assets for benchmarks")
    serve.add_argument("--seed-random", type=int, default=1, help="seed of the demo data")
    add_fault_flags(serve, Faults(), {"token_ttl": "token lifetime, seconds"})
    return root


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        host=args.host,
        port=args.port,
        db=args.db,
        seed=args.seed,
        seed_scale=args.seed_scale,
        seed_random=args.seed_random,
        admin=args.admin,
        faults=faults_from(args, Faults),
    )


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    options = options_from(args)
    sb, account = prepare(options)
    sock = bind(options.host, options.port)
    try:
        serve_forever(build_app(sb), sock, credentials(account, api_url(sock)))
    finally:
        sb.store.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
