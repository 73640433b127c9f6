"""The layout holds: each plugin package imports its own API's packages and the core, never a
sandbox nor the other API's packages; the core imports neither API nor a sandbox, and the
sandbox framework (``sandbox_core``) is a package of its own beside it (issue 27)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API_OF = {
    "lexful_api": "lexful",
    "tap_lexful": "lexful",
    "target_lexful": "lexful",
    "airbyte_lexful": "lexful",
    "lexful_dagster": "lexful",
    "lightfield_api": "lightfield",
    "tap_lightfield": "lightfield",
    "target_lightfield": "lightfield",
}
APIS = ("lexful", "lightfield")
# The local API servers: the framework both share, and one profile a sandbox. They need the
# ``sandbox`` extra (a web server), so nothing the plugins import may import them.
SANDBOXES = ("sandbox_core", "lexful_sandbox", "lightfield_sandbox")
WEB_SERVER = {"starlette", "uvicorn", "httptools", "uvloop"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports by its absolute name, inside functions too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def offending(package: str, allowed_api: str | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules in {package}"
    for path in files:
        bad = []
        for module in imported_modules(path):
            top = module.split(".")[0]
            sandbox = top in SANDBOXES or "sandbox" in module.split(".")
            other_api = any(api in top and api != allowed_api for api in APIS)
            if sandbox or other_api or top in WEB_SERVER:
                bad.append(module)
        if bad:
            found[str(path.relative_to(ROOT))] = sorted(bad)
    return found


@pytest.mark.parametrize("package", sorted(API_OF))
def test_a_plugin_package_imports_no_sandbox_and_not_the_other_api(package: str) -> None:
    assert offending(package, API_OF[package]) == {}


def test_the_core_knows_neither_api_nor_a_sandbox() -> None:
    """Every module of ``connector_core`` is checked: none is the sandboxes' (no web server)."""
    assert offending("connector_core", None) == {}


def test_the_sandbox_framework_is_a_package_beside_the_core() -> None:
    assert not (ROOT / "connector_core" / "sandbox").exists()
    assert (ROOT / "sandbox_core" / "__init__.py").is_file()


def test_the_sandbox_framework_knows_no_api_profile() -> None:
    """``sandbox_core`` serves any profile: it imports no API's package, no profile's sandbox."""
    found = {}
    for path in sorted((ROOT / "sandbox_core").rglob("*.py")):
        bad = sorted(m for m in imported_modules(path) if any(a in m for a in APIS))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert found == {}


def test_every_package_is_guarded() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks", "scripts"}
    }
    assert packages == {*API_OF, "connector_core", *SANDBOXES}


SURFACES = {"connector_core", "connector_core.tap", "connector_core.target"}


@pytest.mark.parametrize("package", sorted(API_OF))
def test_a_plugin_package_imports_the_core_only_through_its_declared_surface(package: str) -> None:
    """``connector_core``, ``connector_core.tap`` and ``connector_core.target`` list what they
    offer in ``__all__``; a plugin imports those names from them, never a module inside."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "connector_core"
            ):
                surface = importlib.import_module(node.module or "")
                offered = set(getattr(surface, "__all__", ()))
                wrong = node.module not in SURFACES or any(
                    a.name not in offered for a in node.names
                )
                if wrong:
                    found[f"{path.relative_to(ROOT)}:{node.lineno}"] = node.module
    assert found == {}
