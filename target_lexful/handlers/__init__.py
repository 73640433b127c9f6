"""How each kind of record is written, a module a kind (named as the stream that carries it).

``base`` holds what every handler shares; ``records`` what organizations and assets share.
"""

from __future__ import annotations

from target_lexful.handlers.asset_types import AssetTypeHandler
from target_lexful.handlers.assets import AssetHandler
from target_lexful.handlers.base import Context, Handler
from target_lexful.handlers.files import FileHandler
from target_lexful.handlers.organization_types import OrganizationTypeHandler
from target_lexful.handlers.organizations import OrganizationHandler
from target_lexful.handlers.related_assets import RelatedAssetHandler
from target_lexful.handlers.users import UserHandler

HANDLERS: tuple[type[Handler], ...] = (
    OrganizationTypeHandler,
    AssetTypeHandler,
    OrganizationHandler,
    AssetHandler,
    RelatedAssetHandler,
    FileHandler,
    UserHandler,
)

__all__ = ["HANDLERS", "Context", "Handler"]
