"""The layout holds: each plugin package imports its own API's packages and the core, never a
sandbox nor the other API's packages; the core imports neither API (issue 27)."""

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
        if package == "connector_core" and "sandbox" in path.relative_to(ROOT).parts:
            continue  # the sandbox framework: what the sandboxes are made of
        bad = []
        for module in imported_modules(path):
            top = module.split(".")[0]
            sandbox = "sandbox" in module.split(".") or top.endswith("_sandbox")
            other_api = any(api in top and api != allowed_api for api in APIS)
            if sandbox or other_api:
                bad.append(module)
        if bad:
            found[str(path.relative_to(ROOT))] = sorted(bad)
    return found


@pytest.mark.parametrize("package", sorted(API_OF))
def test_a_plugin_package_imports_no_sandbox_and_not_the_other_api(package: str) -> None:
    assert offending(package, API_OF[package]) == {}


def test_the_core_knows_neither_api() -> None:
    assert offending("connector_core", None) == {}


def test_every_package_is_guarded() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks", "scripts", "connector_core"}
        and not path.parent.name.endswith("_sandbox")
    }
    assert packages == set(API_OF)


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
