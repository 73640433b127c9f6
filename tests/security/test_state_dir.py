"""The targets' own files are not written through planted symlinks: the id map's lock file
(a link at ``<id map>.lock`` got the target's pid, a dangling one made a file anywhere) and the
default state directory (a link at ``.target-lexful`` received the id map and rejects).

Each target runs as its own process, from a working directory the test prepares.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tests.lexful.target import helpers as lexful_target

BIN = Path(sys.executable).parent


def run(command: str, config: dict[str, Any], cwd: Path, lines: list[str]) -> tuple[int, str]:
    (cwd / "config.json").write_text(json.dumps(config))
    done = subprocess.run(
        [str(BIN / command), "--config", str(cwd / "config.json")],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stderr


def lexful_lines() -> list[str]:
    return [json.dumps(lexful_target.schema("organizations"))]


def lightfield_lines() -> list[str]:
    schema = {"type": "object", "properties": {}, "additionalProperties": True}
    message = {"type": "SCHEMA", "stream": "accounts", "schema": schema, "key_properties": ["id"]}
    return [json.dumps(message)]


@pytest.fixture(scope="module")
def lightfield_creds() -> Any:
    with lightfield_sandbox(seed="demo") as sandbox:
        yield sandbox.config


def one_line_refusal(rc: int, stderr: str, named: str) -> None:
    assert rc != 0
    assert "Traceback" not in stderr, stderr
    assert named in stderr.strip().splitlines()[-1], stderr


@pytest.mark.parametrize("dangling", [False, True])
def test_lexful_id_map_lock_is_not_opened_through_a_symlink(
    empty_account: dict[str, Any], tmp_path: Path, dangling: bool
) -> None:
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_text("untouched\n")
    id_map = tmp_path / "idmap.sqlite"
    os.symlink(victim, tmp_path / "idmap.sqlite.lock")
    config = {**empty_account, "id_map_path": str(id_map)}
    rc, stderr = run("target-lexful", config, tmp_path, lexful_lines())
    one_line_refusal(rc, stderr, "idmap.sqlite.lock")
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "untouched\n"


def test_lightfield_id_map_lock_is_not_opened_through_a_symlink(
    lightfield_creds: dict[str, Any], tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    os.symlink(victim, tmp_path / "idmap.sqlite.lock")
    config = {**lightfield_creds, "id_map_path": str(tmp_path / "idmap.sqlite")}
    rc, stderr = run("target-lightfield", config, tmp_path, lightfield_lines())
    one_line_refusal(rc, stderr, "idmap.sqlite.lock")
    assert victim.read_text() == "untouched\n"


def test_the_lock_is_private(empty_account: dict[str, Any], tmp_path: Path) -> None:
    config = {**empty_account, "id_map_path": str(tmp_path / "idmap.sqlite")}
    old = os.umask(0o022)
    try:
        rc, stderr = run("target-lexful", config, tmp_path, lexful_lines())
    finally:
        os.umask(old)
    assert rc == 0, stderr
    assert stat.S_IMODE((tmp_path / "idmap.sqlite.lock").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("command", "directory"),
    [("target-lexful", ".target-lexful"), ("target-lightfield", ".target-lightfield")],
)
def test_a_symlinked_default_directory_is_refused(
    empty_account: dict[str, Any],
    lightfield_creds: dict[str, Any],
    tmp_path: Path,
    command: str,
    directory: str,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(elsewhere, work / directory)
    lexful = command == "target-lexful"
    config = empty_account if lexful else lightfield_creds
    rc, stderr = run(command, config, work, lexful_lines() if lexful else lightfield_lines())
    one_line_refusal(rc, stderr, directory)
    assert "id_map_path" in stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "directory"),
    [("target-lexful", ".target-lexful"), ("target-lightfield", ".target-lightfield")],
)
def test_the_default_directory_is_private(
    empty_account: dict[str, Any],
    lightfield_creds: dict[str, Any],
    tmp_path: Path,
    command: str,
    directory: str,
) -> None:
    lexful = command == "target-lexful"
    config = empty_account if lexful else lightfield_creds
    old = os.umask(0o022)
    try:
        rc, stderr = run(
            command, config, tmp_path, lexful_lines() if lexful else lightfield_lines()
        )
    finally:
        os.umask(old)
    assert rc == 0, stderr
    assert stat.S_IMODE((tmp_path / directory).stat().st_mode) == 0o700
