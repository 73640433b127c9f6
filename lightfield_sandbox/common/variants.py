"""The Lightfield sandbox's variants: where ``docs/lightfield-api.md`` says [A], how else
Lightfield might be.

``lightfield-sandbox serve --variant NAME`` (repeatable) or ``running_sandbox(variants=[...])``
switches one on; ``lightfield-sandbox variants`` lists them. Routes test the constants
declared here (``LightfieldState.variant``).
"""

from __future__ import annotations

from connector_core.sandbox.variants import VariantRegistry

REGISTRY = VariantRegistry("lightfield")
declare = REGISTRY.declare
