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
    [
        "s3cr3t-Value/with+chars==",
        "2c1f0e9a-secret value",
        "9STARTS_WITH_DIGIT",
        "''",
        # a key that looks like a name: Lexful's own form, bare hex (a trial pasted these)
        "lxs_59f1b7fb61ed00b7741954326c4bae3bfd84d97f3db0abb2",
        "0123456789abcdef0123456789abcdef01234567",
    ],
)
def test_api_key_secret_env_must_be_a_variable_name_and_is_never_echoed(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(ENTRY.format(secret_env=value if value == "''" else f'"{value}"'))
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: accounts[0].api_key_secret_env: must be the name of an")
    if value != "''":
        assert value not in message


def test_a_variable_name_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(ENTRY.format(secret_env="ACME_LEXFUL_SECRET"))
    (account,) = config.load(path).accounts
    assert account.api_key_secret_env == "ACME_LEXFUL_SECRET"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            ENTRY + "    organisation_shards: 4\n",
            "accounts[0]."
            "organisation_shards: not a setting of the accounts file (did you mean "
            "'organization_shards'?)",
        ),
        ("meltano: {{enviroment: prod}}\n" + ENTRY, "meltano.enviroment: not a setting"),
        ("acounts: []\n" + ENTRY, "acounts: not a setting of the accounts file"),
    ],
)
def test_a_misspelt_key_is_refused_with_the_file_and_the_key(
    tmp_path: Path, text: str, said: str
) -> None:
    """A misspelt key would take its default silently (one shard instead of four, and a
    new plan for the account): refused in one line naming the file and the key."""
    path = tmp_path / "lexful-dagster.yml"
    path.write_text(text.format(secret_env="ACME_LEXFUL_SECRET"))
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: {said}")
    assert "\n" not in str(caught.value)
