"""The sandbox's layout holds: small modules, layers that import only downwards, and every
API route authenticated by ``http.deps`` rather than by its own lookup."""

from __future__ import annotations

import ast
from pathlib import Path

import lexful_sandbox
from lexful_sandbox.http import deps
from lexful_sandbox.http.routes import api_routes

PACKAGE = Path(lexful_sandbox.__file__).parent
# Each layer and what it may import of the sandbox; the top (cli, testing) may import all.
LAYERS = {
    "common": {"common"},
    "storage": {"common", "storage"},
    "resources": {"common", "storage", "resources"},
    "seed": {"common", "storage", "resources", "seed"},
    "http": {"common", "storage", "resources", "seed", "http"},
}
WEB_SERVER = {"starlette", "uvicorn"}
UNAUTHENTICATED = {"/v1/auth/token", "/_storage/{account}/{file}"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    """The modules a file imports (also used by the Lightfield sandbox's layout test)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_layers_import_only_downwards() -> None:
    wrong = []
    for path in _modules():
        parts = path.relative_to(PACKAGE).parts
        if len(parts) == 1:
            continue  # __init__, cli, testing: the top
        allowed = LAYERS[parts[0]]
        for name in imports_of(path):
            top, _, rest = name.partition(".")
            if top == "lexful_sandbox" and rest.split(".")[0] not in allowed:
                wrong.append(f"{'/'.join(parts)} imports {name}")
            if top in WEB_SERVER and parts[0] != "http":
                wrong.append(f"{'/'.join(parts)} imports {name}: the web server is http's")
    assert wrong == []


def test_every_api_route_is_authenticated_by_deps() -> None:
    def authenticated(endpoint: object) -> bool:
        code = getattr(endpoint, "__code__", None)
        return code is not None and code is _wrapper_code()

    routes = api_routes(with_admin=True)
    assert routes
    for route in routes:
        public = route.path in UNAUTHENTICATED or route.path.startswith("/_admin/")
        assert authenticated(route.endpoint) is not public, route.path


def _wrapper_code() -> object:
    async def handler(request, caller):  # pragma: no cover - never called
        raise AssertionError

    return deps.authenticated(handler).__code__
