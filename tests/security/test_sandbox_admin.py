"""A sandbox left running with --admin: its admin endpoints need the token it printed, and a
loopback Host (a web page, or a DNS-rebound name, cannot drive them)."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from connector_core.sandbox.state import ADMIN_TOKEN_HEADER


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
        assert requests.get(stats, headers=good, timeout=10).status_code == 200
    finally:
        child.terminate()
        child.wait(10)
