"""The four plugins added to a new Meltano project from their definition files, then synced.

As a team with a Meltano project of its own would: `meltano init`, then for each plugin
`meltano add --plugin-type <type> --from-ref plugins/<type>s/<name>.yml <name>`, which installs
its pip_url (`lexful-lightfield-connectors`, here a wheel built from this checkout, found through
UV_FIND_LINKS / PIP_FIND_LINKS as a private index would serve it). No YAML is copied, and
nothing of this repository's meltano.yml is used: the settings come from the environment, as
Meltano maps them (TAP_LEXFUL_ACCOUNT_ID, ...). Then `meltano run` copies a sandbox account
into another, for Lexful and for Lightfield.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import lightfield_sandbox
from lexful_sandbox import Sandbox
from tests.e2e.account import snapshot
from tests.e2e.pipeline import BIN, ROOT, meltano_bin
from tests.e2e.test_round_trip import assert_same_account
from tests.lightfield.target.helpers import assert_copy_equals_source, with_demo_members

pytestmark = pytest.mark.meltano
PLUGINS = {
    "tap-lexful": "extractor",
    "target-lexful": "loader",
    "tap-lightfield": "extractor",
    "target-lightfield": "loader",
}


@dataclass
class Project:
    path: Path
    env: dict[str, str]

    def meltano(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [meltano_bin(), *args],
            cwd=self.path,
            env=self.env | env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"meltano {' '.join(args)} failed:\n{result.stderr[-4000:]}"
        return result


def definition_file(plugin: str) -> Path:
    return ROOT / "plugins" / f"{PLUGINS[plugin]}s" / f"{plugin}.yml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A new Meltano project with the four plugins added from their files (and installed)."""
    tmp = tmp_path_factory.mktemp("meltano-add")
    wheels = tmp / "wheels"
    build = [BIN / "python", "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, ROOT]
    subprocess.run(build, check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_"))}
    # Meltano 4 installs plugins with uv (UV_FIND_LINKS); with pip, PIP_FIND_LINKS.
    env |= {
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "UV_FIND_LINKS": str(wheels),
        "PIP_FIND_LINKS": str(wheels),
    }
    init = [meltano_bin(), "init", "--no-usage-stats", "project"]
    subprocess.run(init, cwd=tmp, env=env, check=True, capture_output=True)
    created = Project(tmp / "project", env)
    for plugin, kind in PLUGINS.items():
        ref = str(definition_file(plugin))
        created.meltano("add", "--plugin-type", kind, "--from-ref", ref, plugin)
    return created


class Yaml12(yaml.SafeLoader):
    """YAML as Meltano writes it (ruamel, YAML 1.2): ``off`` (a ``reconcile`` option) is a
    string there, where PyYAML's YAML 1.1 would read a boolean."""


Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def test_the_project_holds_each_definition_as_written(project: Project) -> None:
    added = yaml.load((project.path / "meltano.yml").read_text(), Yaml12)["plugins"]
    assert sorted(added) == ["extractors", "loaders"], "a plugin went to another type"
    for plugin, kind in PLUGINS.items():
        written = yaml.safe_load(definition_file(plugin).read_text())
        entries = [p for p in added[f"{kind}s"] if p["name"] == plugin]
        assert len(entries) == 1, f"{plugin}: {len(entries)} entries in the project"
        entry = entries[0]
        for key in ("namespace", "pip_url", "executable", "capabilities", "settings"):
            assert entry[key] == written[key], f"{plugin}: {key} differs from its file"


def test_meltano_run_copies_a_lexful_account(
    project: Project, demo_sandbox: Sandbox, empty_account: dict[str, str], tmp_path: Path
) -> None:
    source, dest = demo_sandbox.config, empty_account
    env = {f"TAP_LEXFUL_{k.upper()}": v for k, v in source.items()}
    env |= {f"TARGET_LEXFUL_{k.upper()}": v for k, v in dest.items()}
    env |= {
        "TAP_LEXFUL_FILES_CONTENT": "inline",
        "TARGET_LEXFUL_CREATE_ASSET_TYPES": "true",
        "TARGET_LEXFUL_ID_MAP_PATH": str(tmp_path / "id-map.sqlite"),
        "TARGET_LEXFUL_REJECTS_PATH": str(tmp_path / "rejects.jsonl"),
    }
    suffix = uuid.uuid4().hex
    project.meltano("run", "--state-id-suffix", suffix, "tap-lexful", "target-lexful", **env)
    assert_same_account(snapshot(source), snapshot(dest))


def test_meltano_run_copies_a_lightfield_workspace(project: Project, tmp_path: Path) -> None:
    with (
        lightfield_sandbox.running_sandbox(seed="demo") as source,
        lightfield_sandbox.running_sandbox(seed="none") as dest,
    ):
        with_demo_members(dest, dest.config)
        env = {f"TAP_LIGHTFIELD_{k.upper()}": v for k, v in source.config.items()}
        env |= {f"TARGET_LIGHTFIELD_{k.upper()}": v for k, v in dest.config.items()}
        env |= {
            "TARGET_LIGHTFIELD_ID_MAP_PATH": str(tmp_path / "id-map.sqlite"),
            "TARGET_LIGHTFIELD_REJECTS_PATH": str(tmp_path / "rejects.jsonl"),
        }
        run = ["run", "--state-id-suffix", uuid.uuid4().hex, "tap-lightfield", "target-lightfield"]
        project.meltano(*run, **env)
        assert_copy_equals_source(source.config, dest.config)
