"""How each kind of record is written: a module a kind, named as its stream (files: file_uploads).

``base`` holds what every handler shares; ``matched_records`` what organizations, assets and
users share (a record matched to its copy in the destination, then created, patched or deleted).
"""

from __future__ import annotations

from target_lexful.engine.handlers.asset_types import AssetTypeHandler
from target_lexful.engine.handlers.assets import AssetHandler
from target_lexful.engine.handlers.base import Handler, HandlerDeps
from target_lexful.engine.handlers.file_uploads import FileHandler
from target_lexful.engine.handlers.organization_types import OrganizationTypeHandler
from target_lexful.engine.handlers.organizations import OrganizationHandler
from target_lexful.engine.handlers.related_assets import RelatedAssetHandler
from target_lexful.engine.handlers.users import UserHandler

HANDLERS: tuple[type[Handler], ...] = (
    OrganizationTypeHandler,
    AssetTypeHandler,
    OrganizationHandler,
    AssetHandler,
    RelatedAssetHandler,
    FileHandler,
    UserHandler,
)

__all__ = ["HANDLERS", "Handler", "HandlerDeps"]
