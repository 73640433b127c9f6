"""The fault flags every ``<profile>-sandbox serve`` takes, and what they become."""

from __future__ import annotations

import argparse
from dataclasses import fields
from typing import Any, TypeVar

from connector_core.sandbox.faults import Faults

F = TypeVar("F", bound=Faults)

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
