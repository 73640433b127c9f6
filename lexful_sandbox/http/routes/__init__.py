"""The API's routes, one module per resource; the admin routes only with ``--admin``.

Every API route is ``@authenticated`` (``http.deps``) but two kinds: the token route, which
authenticates an API key, and the presigned storage URLs in ``files``, whose signature is
the permission.
"""

from __future__ import annotations

from starlette.routing import Route

from lexful_sandbox.http.routes import (
    admin,
    asset_types,
    assets,
    auth,
    entities,
    files,
    organizations,
    related,
    users,
)


def api_routes(*, with_admin: bool) -> list[Route]:
    routes = [
        *auth.routes(),
        *organizations.routes(),
        *asset_types.routes(),
        *users.routes(),
        *entities.routes(),
        *assets.routes(),
        *related.routes(),
        *files.routes(),
    ]
    return routes + admin.routes() if with_admin else routes
