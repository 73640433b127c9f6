"""JSON schemas of the Lexful streams, built with ``singer_sdk.typing``.

The fixed resources have fixed schemas; an asset stream's schema is built at discovery from its
asset type's property and reference definitions (``asset_type_properties``).
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from lexful_api import contract

# A value the API may send as a string or a list of strings (user scopes are uuids or "*") [D].
_STRINGS_OR_STAR = th.CustomType({"type": ["array", "string", "null"], "items": {"type": "string"}})
# An object of unknown shape: kept whole rather than dropped.
_ANY_OBJECT = th.CustomType({"type": ["object", "array", "string", "null"]})

LABELS = th.ArrayType(
    th.ObjectType(th.Property("id", th.UUIDType), th.Property("name", th.StringType))
)
# The type of each audit and fixed asset field; which fields there are is the contract's.
_FIELD_TYPES: dict[str, th.JSONTypeHelper[Any] | type[th.JSONTypeHelper[Any]]] = {
    "created_at": th.DateTimeType,
    "updated_at": th.DateTimeType,
    "created_by": th.StringType,
    "updated_by": th.StringType,
    "deleted_at": th.DateTimeType,
    "asset_type": th.StringType,
    "organization_id": th.UUIDType,
    "organization_name": th.StringType,
    "name": th.StringType,
    "visibility": th.StringType,
    "owned_by": th.StringType,
    "labels": LABELS,
}
AUDIT = tuple(th.Property(name, _FIELD_TYPES[name]) for name in contract.AUDIT_FIELDS)
DELETED_MARKER = th.Property(
    "_sdc_deleted_at", th.DateTimeType, description="When the record was soft deleted."
)

ORGANIZATION_TYPE = th.PropertiesList(
    th.Property("id", th.UUIDType, required=True),
    th.Property("name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("is_system", th.BooleanType),
    *AUDIT,
)

ORGANIZATION = th.PropertiesList(
    th.Property("id", th.UUIDType, required=True),
    th.Property("is_primary", th.BooleanType),
    th.Property("name", th.StringType),
    th.Property("slug", th.StringType),
    th.Property("type", th.StringType),
    th.Property("status", th.StringType),
    th.Property("description", th.StringType),
    th.Property("logo_url", th.StringType),
    th.Property("website_url", th.StringType),
    th.Property("notes", th.StringType),
    th.Property("alert", th.StringType),
    th.Property("parent_id", th.UUIDType),
    th.Property("asset_management", th.StringType),
    th.Property("labels", LABELS),
    *AUDIT,
)

USER = th.PropertiesList(
    th.Property("id", th.UUIDType, required=True),
    th.Property("account_id", th.UUIDType),
    th.Property("email", th.StringType),
    th.Property("role", th.StringType),
    th.Property("first_name", th.StringType),
    th.Property("last_name", th.StringType),
    th.Property("account_scopes", _STRINGS_OR_STAR),
    th.Property("organization_scopes", _STRINGS_OR_STAR),
    th.Property("external_ids", _ANY_OBJECT),
    *AUDIT,
)

_PROPERTY_DEFINITION = th.ObjectType(
    th.Property("name", th.StringType),
    th.Property("type", th.StringType),
    th.Property("display_name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("required", th.BooleanType),
    th.Property("enum", th.ArrayType(th.StringType)),
    # Nested definitions (array items, file rules) are kept whole: their shape is recursive.
    th.Property("array", _ANY_OBJECT),
    th.Property("file_rules", _ANY_OBJECT),
)
_REFERENCE_DEFINITION = th.ObjectType(
    th.Property("name", th.StringType),
    th.Property("display_name", th.StringType),
    th.Property("required", th.BooleanType),
    th.Property("multiple", th.BooleanType),
    th.Property("target_asset_types", th.ArrayType(th.StringType)),
    th.Property("target_entity_types", th.ArrayType(th.StringType)),
)

ASSET_TYPE = th.PropertiesList(
    th.Property("id", th.UUIDType, required=True),
    th.Property("account_id", th.UUIDType),
    th.Property("name", th.StringType),
    th.Property("display_name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("is_system", th.BooleanType),
    th.Property("properties", th.ArrayType(_PROPERTY_DEFINITION)),
    th.Property("references", th.ArrayType(_REFERENCE_DEFINITION)),
    th.Property("version", th.IntegerType),
    *AUDIT,
)

RELATED_ASSET = th.PropertiesList(
    th.Property(
        "asset_type", th.StringType, required=True, description="Type of the source asset."
    ),
    th.Property("asset_id", th.UUIDType, required=True, description="The asset the link is on."),
    th.Property("related_asset_id", th.UUIDType, required=True),
    th.Property("related_asset_type", th.StringType),
    th.Property("name", th.StringType, description="Display name of the related asset."),
    th.Property("description", th.StringType),
    th.Property("created_at", th.DateTimeType),
)

FILE = th.PropertiesList(
    th.Property("id", th.UUIDType, required=True),
    th.Property("asset_type", th.StringType, required=True),
    th.Property("asset_id", th.UUIDType, required=True),
    th.Property("organization_id", th.UUIDType),
    th.Property("name", th.StringType),
    th.Property("original_name", th.StringType),
    th.Property("file_extension", th.StringType),
    th.Property("mime_type", th.StringType),
    th.Property("size", th.IntegerType),
    th.Property("is_public", th.BooleanType),
    th.Property("property_name", th.StringType),
    th.Property("upload_status", th.StringType),
    *AUDIT,
)
# What files_content adds to a file record (never asked of the API).
FILE_CONTENT = {
    "inline": th.PropertiesList(
        th.Property("content_base64", th.StringType, description="The bytes, base64."),
        th.Property("sha256", th.StringType, description="SHA-256 of the bytes, hex."),
    ),
    "directory": th.PropertiesList(
        th.Property("local_path", th.StringType, description="Where the bytes were written."),
        th.Property("sha256", th.StringType, description="SHA-256 of the bytes, hex."),
    ),
}


def file_properties(files_content: str) -> th.PropertiesList:
    """A file record's properties, with the content fields ``files_content`` adds."""
    extra = FILE_CONTENT.get(files_content)
    return th.PropertiesList(*FILE, *(extra or []))


# --- asset types ------------------------------------------------------------------------------

_SCALARS: dict[str, type[th.JSONTypeHelper[Any]]] = {
    "string": th.StringType,
    "richtext": th.StringType,
    "secret": th.StringType,  # read back masked ("********") [A]
    "totp": th.StringType,  # idem
    "file": th.StringType,  # the id of a file record
    "number": th.NumberType,
    "integer": th.IntegerType,
    "boolean": th.BooleanType,
    "date": th.DateType,
    "datetime": th.DateTimeType,
}


def stream_schema(properties: th.PropertiesList, *, include_deleted: bool) -> dict[str, Any]:
    """A stream's JSON schema; with ``include_deleted``, also ``_sdc_deleted_at``."""
    extra = [DELETED_MARKER] if include_deleted else []
    return th.PropertiesList(*properties, *extra).to_dict()


def asset_type_properties(definition: dict[str, Any]) -> th.PropertiesList:
    """The properties of one asset type's records: its own beside the fixed fields.

    An unknown property type is kept as "any JSON value" rather than failing discovery: the API
    may grow new types before this tap knows them, and nothing it returns must be dropped.
    """
    own = [_property(item) for item in definition.get("properties") or []]
    own_names = {prop.name for prop in own}
    fixed = [prop for prop in _asset_fixed(definition) if prop.name not in own_names]
    return th.PropertiesList(*fixed, *own)


def _asset_fixed(definition: dict[str, Any]) -> list[th.Property[Any]]:
    """The fixed fields every asset has beside its type's own (contract.ASSET_FIXED_FIELDS)."""
    references = th.ObjectType(*(_reference(item) for item in definition.get("references") or []))
    types = {**_FIELD_TYPES, "references": references}
    return [
        th.Property(name, th.UUIDType, required=True)
        if name == "id"
        else th.Property(name, types[name])
        for name in contract.ASSET_FIXED_FIELDS
    ]


def _property(definition: dict[str, Any]) -> th.Property[Any]:
    name = str(definition["name"])
    required = bool(definition.get("required"))
    enum = definition.get("enum") or None
    return th.Property(
        name,
        _value_type(definition),
        required=required,
        # An optional enum must also allow null, or every empty value fails validation.
        allowed_values=(list(enum) if required else [*enum, None]) if enum else None,
        title=definition.get("display_name") or None,
        description=definition.get("description") or None,
    )


def _value_type(definition: dict[str, Any]) -> th.JSONTypeHelper[Any]:
    kind = definition.get("type")
    if kind == "array":
        return th.ArrayType(_item_type(definition.get("array") or {}))
    scalar = _SCALARS.get(str(kind))
    return scalar() if scalar else th.AnyType()


def _item_type(items: dict[str, Any]) -> th.JSONTypeHelper[Any]:
    if items.get("type") == "object":
        return th.ObjectType(*[_property(item) for item in items.get("properties") or []])
    if items.get("enum"):
        return th.StringType(allowed_values=list(items["enum"]))
    return _value_type(items)


def _reference(definition: dict[str, Any]) -> th.Property[Any]:
    kind: th.JSONTypeHelper[Any] = (
        th.ArrayType(th.UUIDType) if definition.get("multiple") else th.UUIDType()
    )
    targets = contract.reference_targets(definition)
    return th.Property(
        str(definition["name"]),
        kind,
        title=definition.get("display_name") or None,
        description=f"Reference to {', '.join(targets)}" if targets else None,
    )
