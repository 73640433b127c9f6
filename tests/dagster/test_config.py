"""The accounts file's errors: they name the file (and LEXFUL_DAGSTER_CONFIG), never a secret;
the Dagster guide's example (docs/dagster.md) is a valid accounts file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from lexful_dagster import config
from tests.e2e.pipeline import ROOT

ENTRY = """accounts:
  - name: acme
    account_id: a1
    api_key_id: k1
    api_key_secret_env: {secret_env}
    loader: target-jsonl
"""


def readme_example() -> str:
    """The Dagster guide's example accounts file (its yaml block that names lexful-dagster.yml)."""
    text = (ROOT / "docs" / "dagster.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    (example,) = [str(b) for b in blocks if b.startswith("# lexful-dagster.yml")]
    return example


def test_the_readme_example_is_a_valid_accounts_file(tmp_path: Path) -> None:
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(readme_example())
    settings = config.load(path)
    (account,) = settings.accounts
    assert account.name == "acme"
    assert account.organization_shards == 4
    assert account.loader_env == {"TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "lexful_{account}"}


def test_a_missing_file_names_itself_and_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yml"
    with pytest.raises(config.ConfigError) as caught:
        config.load(missing)
    message = str(caught.value)
    assert str(missing) in message
    assert "LEXFUL_DAGSTER_CONFIG" in message
    assert "\n" not in message


def test_the_code_location_says_which_file_is_missing_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yml"
    env = os.environ | {"LEXFUL_DAGSTER_CONFIG": str(missing)}
    done = subprocess.run(
        [sys.executable, "-c", "import lexful_dagster.definitions"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("lexful_dagster.config.ConfigError: accounts file")
    assert str(missing) in last
    assert "LEXFUL_DAGSTER_CONFIG" in last


def test_a_yaml_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("accounts:\n  - name: acme\n    loader_env: {SCHEMA: lexful_{account}}\n")
    with pytest.raises(config.ConfigError, match=r"broken\.yml: not valid YAML at line 3"):
        config.load(path)


@pytest.mark.parametrize(
    "value",
    ["s3cr3t-Value/with+chars==", "2c1f0e9a-secret value", "9STARTS_WITH_DIGIT", "''"],
)
def test_api_key_secret_env_must_be_a_variable_name_and_is_never_echoed(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(ENTRY.format(secret_env=value if value == "''" else f'"{value}"'))
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    message = str(caught.value)
    assert message.startswith("accounts[0].api_key_secret_env: must be the name of an")
    if value != "''":
        assert value not in message


def test_a_variable_name_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(ENTRY.format(secret_env="ACME_LEXFUL_SECRET"))
    (account,) = config.load(path).accounts
    assert account.api_key_secret_env == "ACME_LEXFUL_SECRET"
