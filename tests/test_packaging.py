"""Installing the plugins installs no web server: the sandboxes (``sandbox_core`` and each API's)
are an extra of their own, and no plugin package imports them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli along
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "lexful-lightfield-connectors"
PLUGIN_PACKAGES = (
    "tap_lexful",
    "target_lexful",
    "lexful_api",
    "airbyte_lexful",
    "lexful_dagster",
    "tap_lightfield",
    "target_lightfield",
    "lightfield_api",
)
CORE = "connector_core"
SANDBOXES = ("sandbox_core", "lexful_sandbox", "lightfield_sandbox")
WEB_SERVER = {"starlette", "uvicorn", "httptools", "uvloop"}
SANDBOX_ONLY = {*WEB_SERVER, *SANDBOXES}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _project() -> dict:
    return _pyproject()["project"]


def _names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in requirements}


def _imported(path: Path) -> set[str]:
    """Top-level names of every module a file imports, inside functions too."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_core_dependencies_hold_no_web_server() -> None:
    project = _project()
    assert not _names(project["dependencies"]) & WEB_SERVER
    extras = project["optional-dependencies"]
    assert _names(extras["sandbox"]) == WEB_SERVER
    # `make install` (pip install -e '.[dev]') must still bring the sandbox's server.
    assert f"{DISTRIBUTION}[sandbox]" in extras["dev"]


def test_the_distribution_is_named_for_both_apis_and_keeps_every_command() -> None:
    project = _project()
    assert project["name"] == DISTRIBUTION
    assert set(project["scripts"]) == {
        *(f"{kind}-{api}" for kind in ("tap", "target") for api in ("lexful", "lightfield")),
        *(f"{api}-{tool}" for api in ("lexful", "lightfield") for tool in ("sandbox", "probe")),
        "source-lexful",
        "destination-lexful",
    }


def test_the_wheel_ships_every_package_and_each_is_a_plugin_the_core_or_a_sandbox() -> None:
    shipped = _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks", "scripts"}
    }
    assert sorted(shipped) == sorted(on_disk)
    # Every package the plugins install is guarded below: none is left out.
    assert set(shipped) - {CORE, *SANDBOXES} == set(PLUGIN_PACKAGES)
    assert sorted(_pyproject()["tool"]["mypy"]["packages"]) == sorted(shipped)


def test_plugin_packages_never_import_the_sandbox_or_a_web_server() -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(_imported(path) & SANDBOX_ONLY)
        for package in (*PLUGIN_PACKAGES, CORE)
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert found, "no plugin modules found"
    assert {path: names for path, names in found.items() if names} == {}


def test_loading_the_plugins_loads_no_web_server() -> None:
    code = (
        "import sys, tap_lexful.tap, target_lexful.target\n"
        "import tap_lightfield.tap, target_lightfield.target\n"
        "import airbyte_lexful.source, airbyte_lexful.destination, lexful_dagster.assets\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *sorted(SANDBOX_ONLY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_meltano_installs_the_plugins_without_extras() -> None:
    plugins = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]
    ours = [
        p
        for kind in ("extractors", "loaders")
        for p in plugins.get(kind, [])
        if p["name"].startswith(("tap-lexful", "target-lexful")) and "pip_url" in p
    ]
    assert ours
    assert {p["pip_url"] for p in ours} == {"-e ."}
