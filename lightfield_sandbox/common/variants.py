"""The Lightfield sandbox's variants: where ``docs/lightfield-api.md`` says [A], how else
Lightfield might be.

``lightfield-sandbox serve --variant NAME`` (repeatable) or ``running_sandbox(variants=[...])``
switches one on; ``lightfield-sandbox variants`` lists them. Routes test the constants
declared here (``LightfieldState.variant``).
"""

from __future__ import annotations

from contextvars import ContextVar

from sandbox_core.variants import VariantRegistry

REGISTRY = VariantRegistry("lightfield")
declare = REGISTRY.declare

ERRORS_WRAPPED = declare(
    "errors-wrapped",
    'every error body wrapped: {"error": {type, message, code?, param?}} (default)',
)
ERRORS_UNWRAPPED = declare(
    "errors-unwrapped",
    "every error body flat: {type, message, code?, param?} (the rate-limit page)",
)
PAGE_CAP_25 = declare("page-cap-25", "limit 1..25, above it 400 invalid_value (default)")
PAGE_CAP_100 = declare("page-cap-100", "limit 1..100 (an older guide), above it 400")
RATE_5 = declare("rate-5", "a token bucket of 5 requests/s per category, not 25")
LAGGING_INDEX = declare("lagging-index", "lists show a write 3 s after it (retrieve is current)")
SPARSE_FIELDS = declare(
    "sparse-fields", "records leave out unset fields (null) and empty relationships"
)
TRASH_KEEPS_UPDATED_AT = declare(
    "trash-keeps-updated-at", "moving a record to the trash or back leaves its updatedAt"
)
FILTERS_IGNORED = declare(
    "filters-ignored", "list filters ($field=value) are accepted and ignored: the whole list"
)

#: The fault settings a variant stands for: ``prepare`` applies them over the options'.
FAULTS = {RATE_5: {"rate_limit": 5.0}, LAGGING_INDEX: {"index_lag_ms": 3000.0}}
#: Variants that answer the same question two ways: at most one of each group.
EXCLUSIVE = (
    frozenset({ERRORS_WRAPPED, ERRORS_UNWRAPPED}),
    frozenset({PAGE_CAP_25, PAGE_CAP_100}),
)
#: The page cap each variant sets (``query.page_of``); the default is the contract's.
PAGE_CAPS = {PAGE_CAP_100: 100}

#: The variants of the server answering the current request (set by ``http.app``): the
#: resources read it where a variant changes what they do, without a request to hand.
ACTIVE: ContextVar[frozenset[str]] = ContextVar("lightfield_variants", default=frozenset())


def active(name: str) -> bool:
    """Whether the server answering this request plays the variant ``name``."""
    return name in ACTIVE.get()
