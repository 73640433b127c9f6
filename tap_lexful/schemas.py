"""JSON schemas of the Lexful streams, built with ``singer_sdk.typing``.

The fixed resources have fixed schemas; an asset stream's schema is built at discovery from its
asset type's property and reference definitions (``asset_type_properties``).
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from lexful_api import contract

# Every property has one JSON type (beside null): a loader makes a column of each property,
# and a column whose type changes from record to record fails the load (issue 12).

# An object whose keys are not declared: kept whole, as one object (JSON) column.
_OBJECT = th.ObjectType(additional_properties=True)
#: How a property's description tells its asset type's rules for new writes (``rules_note``).
RULES_PREFIX = "Lexful rules for new writes: "
#: Marks a string that holds a value's JSON text (JSON Schema's ``contentMediaType``).
JSON_TEXT_MEDIA_TYPE = "application/json"
#: A user scope field -> the flag that says it is every account or organization. The API sends
#: a list of ids or "*" (``contract.scope_ids``); the record has the list (empty for "*") and
#: the flag, so each field keeps one type.
SCOPE_FLAGS = {"account_scopes": "all_accounts", "organization_scopes": "all_organizations"}

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
#: Fixed asset fields the API copies from another record, left out of asset records: they go
#: stale. ``organization_name`` is the organization's name at the asset's last write; a rename
#: rewrites it without moving the asset's ``updated_at``, so no incremental run would send
#: the new one. The name is the ``organizations`` stream's, joined on ``organization_id``.
ASSET_LEFT_OUT = frozenset({"organization_name"})
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
    th.Property(
        "account_scopes", th.ArrayType(th.UUIDType), description="Empty when all_accounts."
    ),
    th.Property("all_accounts", th.BooleanType, description='Every account (the API\'s "*").'),
    th.Property(
        "organization_scopes",
        th.ArrayType(th.UUIDType),
        description="Empty when all_organizations.",
    ),
    th.Property(
        "all_organizations", th.BooleanType, description='Every organization (the API\'s "*").'
    ),
    th.Property("external_ids", _OBJECT),
    *AUDIT,
)

_PROPERTY_DEFINITION = th.ObjectType(
    th.Property("name", th.StringType),
    th.Property("type", th.StringType),
    th.Property("display_name", th.StringType),
    th.Property("description", th.StringType),
    th.Property("required", th.BooleanType),
    th.Property("enum", th.ArrayType(th.StringType)),
    # Objects [D], kept whole: the items' definition is recursive, the file rules open-ended.
    th.Property("array", _OBJECT),
    th.Property("file_rules", _OBJECT),
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
    # [D] on a file uploaded for a property (POST /v1/entities/.../uploads/{property}).
    th.Property("entity_id", th.UUIDType, description="The asset (entity) it belongs to."),
    th.Property("s3_key", th.StringType, description="Where the bytes are stored."),
    th.Property(
        "data",
        th.CustomType({"type": ["string"], "contentMediaType": JSON_TEXT_MEDIA_TYPE}),
        description="The upload's data, as JSON text.",
    ),
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


def json_text_fields(schema: dict[str, Any]) -> tuple[str, ...]:
    """The properties of a stream's schema whose values go out as JSON text."""
    return tuple(
        name
        for name, prop in schema.get("properties", {}).items()
        if prop.get("contentMediaType") == JSON_TEXT_MEDIA_TYPE
    )


def asset_type_properties(definition: dict[str, Any]) -> th.PropertiesList:
    """The properties of one asset type's records: its own beside the fixed fields.

    A property of a type the tap does not know (anywhere in it: an array of such items too)
    does not fail discovery: the API may grow new types before this tap knows them, and
    nothing it returns must be dropped. Its shape is unknown, so no single column type fits
    it, and "any JSON value" is a union a loader cannot store: it goes out as its JSON text, a
    string every loader takes, marked ``contentMediaType: application/json`` so that a reader
    can parse it back (target-lexful does). An object would not do: the value may be a scalar.
    """
    own = [_property(item) for item in definition.get("properties") or []]
    own_names = {prop.name for prop in own}
    fixed = [prop for prop in _asset_fixed(definition) if prop.name not in own_names]
    return th.PropertiesList(*fixed, *own)


def _asset_fixed(definition: dict[str, Any]) -> list[th.Property[Any]]:
    """The fixed fields every asset has beside its type's own (contract.ASSET_FIXED_FIELDS),
    less those ``ASSET_LEFT_OUT``."""
    references = th.ObjectType(*(_reference(item) for item in definition.get("references") or []))
    types = {**_FIELD_TYPES, "references": references}
    return [
        th.Property(name, th.UUIDType, required=True)
        if name == "id"
        else th.Property(name, types[name])
        for name in contract.ASSET_FIXED_FIELDS
        if name not in ASSET_LEFT_OUT
    ]


def _property(definition: dict[str, Any]) -> th.Property[Any]:
    """A property of a type: its value type, never its rules for new writes.

    A schema describes what is stored, and stored records predate today's definition: a
    property made required, or an enum value removed, after a record was written would make
    a loader refuse that record. So no property is required (beside the asset's ``id``), none
    has an ``enum``, and every one takes null; the rules are told in the description
    (``rules_note``; a custom keyword would not survive the SDK's catalog). target-lexful
    checks its writes against the destination's own asset type definitions, not these.
    """
    name = str(definition["name"])
    known = _is_known(definition)
    enum = (definition.get("enum") or None) if known else None  # JSON text is no enum value
    note = rules_note(required=bool(definition.get("required")), enum=enum)
    text = " ".join(part for part in (definition.get("description"), note) if part)
    return th.Property(
        name,
        _value_type(definition) if known else _json_text(),
        title=definition.get("display_name") or None,
        description=text or None,
    )


def rules_note(*, required: bool, enum: list[Any] | None) -> str:
    """The rules of a property as a sentence of its description; empty when it has none."""
    rules = (["required"] if required else []) + (
        [f"one of {', '.join(str(v) for v in enum)}"] if enum else []
    )
    return f"{RULES_PREFIX}{'; '.join(rules)}." if rules else ""


def _is_known(definition: dict[str, Any]) -> bool:
    """Whether a property (or array item) definition has only types this tap can map."""
    kind = definition.get("type")
    if kind != "array":
        return isinstance(kind, str) and kind in _SCALARS
    items = definition.get("array") or {}
    if items.get("type") == "object":
        return all(_is_known(item) for item in items.get("properties") or [])
    return bool(items.get("enum")) or _is_known(items)


def _json_text() -> th.JSONTypeHelper[Any]:
    return th.CustomType({"type": ["string"], "contentMediaType": JSON_TEXT_MEDIA_TYPE})


def _value_type(definition: dict[str, Any]) -> th.JSONTypeHelper[Any]:
    """The type of a known definition (``_is_known``)."""
    kind = definition.get("type")
    if kind == "array":
        return th.ArrayType(_item_type(definition.get("array") or {}))
    return _SCALARS[str(kind)]()


def _item_type(items: dict[str, Any]) -> th.JSONTypeHelper[Any]:
    if items.get("type") == "object":
        return th.ObjectType(*[_property(item) for item in items.get("properties") or []])
    if items.get("enum"):
        note = rules_note(required=False, enum=list(items["enum"]))
        return th.CustomType({"type": ["string"], "description": note})
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
