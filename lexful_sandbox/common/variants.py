"""The Lexful sandbox's variants: where ``docs/lexful-api.md`` says [A], how else Lexful might be.

``lexful-sandbox serve --variant NAME`` (repeatable) or ``running_sandbox(variants=[...])``
switches one on; ``lexful-sandbox variants`` lists them. Routes test the constants below
(``SandboxState.variant``); each [A] of the contract names its variant, or says why none.
"""

from __future__ import annotations

from sandbox_core.variants import VariantRegistry

REGISTRY = VariantRegistry("lexful")
declare = REGISTRY.declare

SINGLE_SORT = declare("single-sort", "one sort key only: a two-key sort gets 400")
PAGE_CAP_400 = declare("page-cap-400", "limit above 100 gets 400")
PAGE_CAP_SILENT = declare("page-cap-silent", "limit above 100 silently serves 100")
FIELDS_IGNORED = declare("fields-ignored", "fields= is ignored: whole records come back")
FASTIFY_ERRORS = declare(
    "fastify-errors", "error bodies in Fastify's shape {statusCode, error, message}"
)
OAUTH_TOKEN = declare("oauth-token", "the token answer is {access_token, expires_in} only")
ENTITIES_PATHS = declare(
    "entities-paths", "only the older /v1/entities/{type} and /v1/entity_types paths"
)
DELETE_200 = declare("delete-200", "DELETE answers 200 with the deleted record")
BULK_BARE_ARRAY = declare("bulk-bare-array", "a bulk create answers a bare array")
BULK_REORDERED = declare(
    "bulk-reordered", "a bulk create answers its organizations in reverse order of those sent"
)
EXPIRED_403 = declare("expired-403", "a refused token (expired, invalid) gets 403, not 401")
