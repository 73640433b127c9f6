"""A sandbox left running: a random key unless seeded; with --admin, its admin endpoints need
the token it printed and a loopback Host (a web page, or a DNS-rebound name, cannot drive
them)."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from sandbox_core.state import ADMIN_TOKEN_HEADER


def first_line(module: str, *flags: str) -> dict[str, str]:
    args = [sys.executable, "-m", module, "serve", "--seed", "none", *flags]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line: dict[str, str] = json.loads(child.stdout.readline())
        return line
    finally:
        child.terminate()
        child.wait(10)


def test_sandbox_keys_are_random_unless_seeded() -> None:
    for module, secret in (
        ("lexful_sandbox.cli", "api_key_secret"),
        ("lightfield_sandbox.cli", "api_key"),
    ):
        assert first_line(module)[secret] != first_line(module)[secret]
        seeded = first_line(module, "--seed-random", "1")[secret]
        assert seeded == first_line(module, "--seed-random", "1")[secret]


def test_admin_endpoints_need_the_token_and_a_loopback_host() -> None:
    args = [sys.executable, "-m", "lexful_sandbox.cli", "serve", "--admin", "--seed", "none"]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        first = json.loads(child.stdout.readline())
        url, token = first["api_url"], first["admin_token"]
        stats = url + "/_admin/stats"
        assert requests.get(stats, timeout=10).status_code == 403
        plain = requests.post(
            url + "/_admin/faults",
            data='{"error_rate": 1}',
            headers={"Content-Type": "text/plain"},
            timeout=10,
        )
        assert plain.status_code == 403  # what a web page could send without a preflight
        good = {ADMIN_TOKEN_HEADER: token}
        foreign = {**good, "Host": "attacker.example"}
        assert requests.get(stats, headers=foreign, timeout=10).status_code == 403
        port = url.rsplit(":", 1)[1]
        userinfo = {**good, "Host": f"localhost:{port}@attacker.example"}
        assert requests.get(stats, headers=userinfo, timeout=10).status_code == 403
        assert requests.get(stats, headers=good, timeout=10).status_code == 200
    finally:
        child.terminate()
        child.wait(10)
