"""Field kinds of every resource: what filters, sorting and ``fields=`` accept."""

from __future__ import annotations

from typing import Any

AUDIT = {
    "created_at": "datetime",
    "updated_at": "datetime",
    "created_by": "string",
    "updated_by": "string",
    "deleted_at": "datetime",
}

ORGANIZATION_FIELDS: dict[str, str] = {
    "id": "string",
    "is_primary": "boolean",
    "name": "string",
    "slug": "string",
    "type": "string",
    "status": "string",
    "description": "string",
    "logo_url": "string",
    "website_url": "string",
    "notes": "string",
    "alert": "string",
    "parent_id": "string",
    "asset_management": "string",
    "labels": "array",
    **AUDIT,
}

ORGANIZATION_TYPE_FIELDS = {
    "id": "string",
    "name": "string",
    "description": "string",
    "is_system": "boolean",
    **AUDIT,
}

ASSET_TYPE_FIELDS = {
    "id": "string",
    "account_id": "string",
    "name": "string",
    "display_name": "string",
    "description": "string",
    "is_system": "boolean",
    "properties": "array",
    "references": "array",
    "version": "integer",
    **AUDIT,
}

USER_FIELDS = {
    "id": "string",
    "account_id": "string",
    "email": "string",
    "role": "string",
    "first_name": "string",
    "last_name": "string",
    "account_scopes": "array",
    "organization_scopes": "array",
    "external_ids": "object",
    **AUDIT,
}

FILE_FIELDS = {
    "id": "string",
    "organization_id": "string",
    "asset_id": "string",
    "name": "string",
    "original_name": "string",
    "file_extension": "string",
    "mime_type": "string",
    "size": "integer",
    "is_public": "boolean",
    "property_name": "string",
    "upload_status": "string",
    "entity_id": "string",
    "s3_key": "string",
    "data": "object",
    **AUDIT,
}

RELATED_FIELDS = {
    "asset_id": "string",
    "asset_type": "string",
    "name": "string",
    "description": "string",
    "created_at": "datetime",
}

ASSET_FIXED_FIELDS = {
    "id": "string",
    "organization_id": "string",
    "organization_name": "string",
    "name": "string",
    "visibility": "string",
    "owned_by": "string",
    "labels": "array",
    "references": "object",
    "asset_type": "string",
    **AUDIT,
}

# How a property type filters and sorts.
PROPERTY_KINDS = {
    "string": "string",
    "richtext": "string",
    "secret": "string",
    "totp": "string",
    "file": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "array": "array",
    "date": "date",
    "datetime": "datetime",
}
PROPERTY_TYPES = frozenset(PROPERTY_KINDS)


def asset_field_kinds(asset_type: dict[str, Any]) -> dict[str, str]:
    kinds = dict(ASSET_FIXED_FIELDS)
    for definition in asset_type["properties"]:
        kinds[definition["name"]] = PROPERTY_KINDS.get(definition["type"], "string")
    return kinds
