"""Installing the plugins installs no web server: the sandbox's server is an extra of its own."""

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
PLUGIN_PACKAGES = (
    "tap_lexful",
    "target_lexful",
    "lexful_api",
    "tap_lightfield",
    "target_lightfield",
    "lightfield_api",
)
WEB_SERVER = {"starlette", "uvicorn", "httptools", "uvloop"}
SANDBOX_ONLY = {*WEB_SERVER, "lexful_sandbox", "lightfield_sandbox"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


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
    assert "lexful-singer[sandbox]" in extras["dev"]


def test_plugin_packages_never_import_the_sandbox_or_a_web_server() -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(_imported(path) & SANDBOX_ONLY)
        for package in PLUGIN_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert found, "no plugin modules found"
    assert {path: names for path, names in found.items() if names} == {}


def test_loading_the_plugins_loads_no_web_server() -> None:
    code = (
        "import sys, tap_lexful.tap, target_lexful.target\n"
        "import tap_lightfield.tap, target_lightfield.target\n"
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
