"""The API's routes, one module per resource; the admin routes only with ``--admin``.

Every API route is authenticated by ``http.deps`` (``authenticated`` or ``writer``) but the
presigned storage URLs in ``files``, whose signature is the permission.
"""

from __future__ import annotations

from starlette.routing import Route

from lightfield_sandbox.http.routes import (
    admin,
    auth,
    emails,
    entities,
    files,
    lists,
    members,
    objects,
)


def api_routes(*, with_admin: bool) -> list[Route]:
    routes = [
        *auth.routes(),
        *entities.routes(),
        *emails.routes(),
        *lists.routes(),
        *members.routes(),
        *objects.routes(),
        *files.routes(),
    ]
    return routes + admin.routes() if with_admin else routes
