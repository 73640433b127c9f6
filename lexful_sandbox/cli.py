"""``lexful-sandbox serve``: a local Lexful API; the first stdout line is its credentials."""

from __future__ import annotations

import argparse
import json
import sys

from lexful_sandbox.http.faults import Faults
from lexful_sandbox.http.server import Options, api_url, bind, make_server, prepare
from lexful_sandbox.resources.accounts import credentials


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lexful-sandbox", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--db", default=None, help="sqlite file; in memory when absent")
    serve.add_argument(
        "--seed", default="none", choices=["none", "demo"], help="demo: a believable small account"
    )
    serve.add_argument("--seed-scale", type=int, default=0, help="add N assets for benchmarks")
    serve.add_argument("--seed-random", type=int, default=1, help="seed of the demo data")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    serve.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, up to")
    serve.add_argument("--error-rate", type=float, default=0.0, help="share of 500/502/503")
    serve.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        help="requests/s, then 429 with Retry-After; 0: none",
    )
    serve.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped sockets")
    serve.add_argument("--token-ttl", type=float, default=3600.0, help="token lifetime, seconds")
    serve.add_argument(
        "--admin",
        action="store_true",
        help="enable /_admin/faults, /_admin/stats, /_admin/accounts",
    )
    return root


def options_from(args: argparse.Namespace) -> Options:
    faults = Faults(
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        drop_rate=args.drop_rate,
        token_ttl=args.token_ttl,
    )
    return Options(
        host=args.host,
        port=args.port,
        db=args.db,
        seed=args.seed,
        seed_scale=args.seed_scale,
        seed_random=args.seed_random,
        admin=args.admin,
        faults=faults,
    )


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    options = options_from(args)
    sb, account = prepare(options)
    sock = bind(options.host, options.port)
    print(json.dumps(credentials(account, api_url(sock))), flush=True)
    try:
        make_server(sb).run(sockets=[sock])
    finally:
        sb.store.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
