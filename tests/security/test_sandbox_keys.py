"""The sandboxes' stores keep no usable API key: only a hash, compared when a request comes.

The old stores kept each key in plain text: whoever read the SQLite file (a backup, another
user of a shared machine) could use it. Now the file holds ``sha256:<hex>`` of each key; the
key still authenticates, a wrong one does not, and a store written by an older sandbox (plain
keys) is hashed when it is opened.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from lexful_sandbox import running_sandbox as lexful_sandbox
from lightfield_api import contract
from lightfield_sandbox import running_sandbox as lightfield_sandbox
from sandbox_core.keys import hash_key


def stored_bytes(db: Path) -> bytes:
    """Every byte of the store on disk: the file and its WAL, whatever is in them."""
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def lexful_token(config: dict[str, str], secret: str) -> int:
    answer = requests.post(
        config["api_url"] + "/v1/auth/token",
        headers={"X-Account-ID": config["account_id"]},
        json={"id": config["api_key_id"], "secret": secret},
        timeout=10,
    )
    return answer.status_code


def lightfield_validate(api_url: str, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}", contract.VERSION_HEADER: contract.API_VERSION}
    return requests.get(api_url + contract.VALIDATE_PATH, headers=headers, timeout=10).status_code


def test_lexful_sandbox_stores_key_hashes_only(tmp_path: Path) -> None:
    db = tmp_path / "lexful.sqlite"
    with lexful_sandbox(seed="demo", db=str(db)) as sandbox:
        other = sandbox.new_account()
        secrets = [sandbox.api_key_secret, other["api_key_secret"]]
        assert lexful_token(sandbox.config, secrets[0]) == 200
        assert lexful_token(other, secrets[1]) == 200
        assert lexful_token(sandbox.config, secrets[1]) == 401  # another account's secret
        assert lexful_token(sandbox.config, hash_key(secrets[0])) == 401  # the hash is no key
        on_disk = stored_bytes(db)
    for secret in secrets:
        assert secret.encode() not in on_disk
        assert hash_key(secret).encode() in on_disk
    # A restart on the store (--seed-random makes the first secret again): it still opens it.
    with lexful_sandbox(db=str(db)) as again:
        assert again.api_key_secret == secrets[0]
        assert lexful_token(again.config, secrets[0]) == 200


def test_lightfield_sandbox_stores_key_hashes_only(tmp_path: Path) -> None:
    db = tmp_path / "lightfield.sqlite"
    with lightfield_sandbox(seed="demo", db=str(db)) as sandbox:
        keys = [sandbox.api_key, sandbox.new_key(()), sandbox.new_account()["api_key"]]
        for key in keys:
            assert lightfield_validate(sandbox.api_url, key) == 200
        assert lightfield_validate(sandbox.api_url, hash_key(keys[0])) == 401
        assert lightfield_validate(sandbox.api_url, keys[0] + "x") == 401
        on_disk = stored_bytes(db)
    for key in keys:
        assert key.encode() not in on_disk
        assert hash_key(key).encode() in on_disk
    with lightfield_sandbox(db=str(db)) as again:
        assert again.api_key == keys[0]
        assert lightfield_validate(again.api_url, keys[1]) == 200


def test_an_older_store_with_plain_keys_is_hashed_when_opened(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with lightfield_sandbox(seed="none", db=str(db)) as sandbox:
        key = sandbox.api_key
    with sqlite3.connect(db) as conn:  # what an older sandbox wrote: the key itself
        conn.execute("UPDATE api_keys SET key = ?", (key,))
    conn.close()
    assert key.encode() in stored_bytes(db)
    with lightfield_sandbox(seed="none", db=str(db)) as again:
        assert lightfield_validate(again.api_url, key) == 200
    assert key.encode() not in stored_bytes(db)


def first_line(*args: str) -> dict[str, Any]:
    """The credentials line of ``lexful-sandbox serve`` with ``args``; then it is stopped."""
    command = [sys.executable, "-m", "lexful_sandbox.cli", "serve", "--port", "0", *args]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        line: dict[str, Any] = json.loads(child.stdout.readline() if child.stdout else "{}")
    finally:
        child.terminate()
        child.wait(10)
    return line


def test_a_random_key_is_shown_once(tmp_path: Path) -> None:
    """Without --seed-random the key cannot be made again: a restart on the store says null,
    the key shown at the first start still works."""
    db = str(tmp_path / "random.sqlite")
    first = first_line("--db", db)
    assert first["api_key_secret"].startswith("lxs_")
    again = first_line("--db", db)
    assert again["api_key_secret"] is None
    assert again["api_key_id"] == first["api_key_id"]
    assert first["api_key_secret"].encode() not in stored_bytes(Path(db))
    with lexful_sandbox(db=db, seed_random=99) as sandbox:  # not the seed it was made with
        assert sandbox.config.get("api_key_secret") is None
        config = {**first, "api_url": sandbox.api_url}
        assert lexful_token(config, first["api_key_secret"]) == 200
