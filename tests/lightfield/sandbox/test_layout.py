"""The Lightfield sandbox's layout holds: small modules, layers that import only downwards,
no copy of the shared core, and every API route authenticated by ``http.deps``."""

from __future__ import annotations

from pathlib import Path

import lightfield_sandbox
from lightfield_sandbox.http import deps
from lightfield_sandbox.http.routes import api_routes
from tests.lexful.sandbox.test_layout import (  # the same layers, read the same way
    LAYERS,
    imports_of,
)

PACKAGE = Path(lightfield_sandbox.__file__).parent
WEB_SERVER = {"starlette", "uvicorn"}
UNAUTHENTICATED = {"/_storage/{ws}/{file}"}


def test_small_modules_and_downward_layers() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(path.read_text().splitlines()) > 400:
            wrong.append(f"{'/'.join(parts)} is over 400 lines")
        if len(parts) == 1:
            continue
        for name in imports_of(path):
            top, _, rest = name.partition(".")
            if top == "lightfield_sandbox" and rest.split(".")[0] not in LAYERS[parts[0]]:
                wrong.append(f"{'/'.join(parts)} imports {name}")
            if top in WEB_SERVER and parts[0] != "http":
                wrong.append(f"{'/'.join(parts)} imports {name}: the web server is http's")
            if top == "lexful_sandbox":
                wrong.append(f"{'/'.join(parts)} imports {name}: share through connector_core")
    assert wrong == []


def test_every_api_route_is_authenticated_by_deps() -> None:
    async def read(request, actor):  # pragma: no cover - never called
        raise AssertionError

    def write(request, actor, body):  # pragma: no cover - never called
        raise AssertionError

    wrappers = {deps.authenticated(None)(read).__code__, deps.writer("s", "o")(write).__code__}
    routes = api_routes(with_admin=True)
    assert routes
    for route in routes:
        public = route.path in UNAUTHENTICATED or route.path.startswith("/_admin/")
        code = getattr(route.endpoint, "__code__", None)
        assert (code in wrappers) is not public, route.path
