"""JSON schemas of the Lightfield streams, built with ``singer_sdk.typing``.

A record keeps the API's shape with its values unwrapped: ``fields`` maps each field's slug to
its value (typed from the field's ``valueType``), ``relationships`` each relationship's slug to
the ids it holds (an array, whatever the cardinality). The types with a definitions endpoint
(accounts, contacts, opportunities, tasks, notes, meetings, custom objects) get their ``fields`` and
``relationships`` from it at discovery; the others have fixed schemas here, which keep
undeclared fields (``additionalProperties``) rather than drop them.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from lightfield_api import contract

#: The replication key every incremental stream gets: the latest of ``createdAt``,
#: ``updatedAt`` (null until the first update [D]) and, for files, ``completedAt``.
MODIFIED_AT = "modifiedAt"

_Type = th.JSONTypeHelper[Any]
_STRING_TYPES = (
    "TEXT",
    "MARKDOWN",
    "HTML",
    "EMAIL",
    "TELEPHONE",
    "URL",
    "SOCIAL_HANDLE",
    "SINGLE_SELECT",
)
_ADDRESS = th.ObjectType(
    *(
        th.Property(key, th.NumberType if key in ("latitude", "longitude") else th.StringType)
        for key in contract.ADDRESS_KEYS
    )
)
_FULL_NAME = th.ObjectType(*(th.Property(key, th.StringType) for key in contract.FULL_NAME_KEYS))
# Anything: a value type this tap does not know yet is kept as it came.
_ANY = th.CustomType({})


def value_type(value_type_name: str, *, multiple: bool = False) -> _Type:
    """The JSON schema of one field's value, from its ``valueType`` [D S12]."""
    single: _Type
    if value_type_name in _STRING_TYPES:
        single = th.StringType()
    elif value_type_name in ("NUMBER", "CURRENCY"):
        single = th.NumberType()
    elif value_type_name == "CHECKBOX":
        single = th.BooleanType()
    elif value_type_name == "DATETIME":
        single = th.DateTimeType()
    elif value_type_name == "ADDRESS":
        single = _ADDRESS
    elif value_type_name == "FULL_NAME":
        single = _FULL_NAME
    elif value_type_name == "MULTI_SELECT":
        return th.ArrayType(th.StringType)
    else:
        return _ANY
    return th.ArrayType(single) if multiple else single


def field_property(slug: str, definition: dict[str, Any]) -> th.Property[Any]:
    config = definition.get("typeConfiguration") or {}
    kind = value_type(str(definition.get("valueType")), multiple=bool(config.get("multipleValues")))
    return th.Property(slug, kind, description=definition.get("label"))


def _entity(
    fields: th.ObjectType, relationships: th.ObjectType, *, external_id: bool = True
) -> th.PropertiesList:
    entity = th.PropertiesList(
        th.Property("id", th.StringType, required=True),
        th.Property("createdAt", th.DateTimeType),
        th.Property("updatedAt", th.DateTimeType),
        th.Property(MODIFIED_AT, th.DateTimeType, description="updatedAt, else createdAt"),
        th.Property("httpLink", th.StringType),
        th.Property("fields", fields),
        th.Property("relationships", relationships),
    )
    if external_id:  # members have none [D S26]
        entity.append(th.Property("externalId", th.StringType))
    return entity


def entity_properties(definitions: dict[str, Any]) -> th.PropertiesList:
    """A record type's schema from its definitions answer [D S13]."""
    fields = th.ObjectType(
        *(
            field_property(slug, item)
            for slug, item in (definitions.get("fieldDefinitions") or {}).items()
        ),
        additional_properties=True,
    )
    relationships = th.ObjectType(
        *(
            th.Property(slug, th.ArrayType(th.StringType), description=item.get("label"))
            for slug, item in (definitions.get("relationshipDefinitions") or {}).items()
        ),
        additional_properties=th.ArrayType(th.StringType),
    )
    return _entity(fields, relationships)


def _fixed(
    fields: dict[str, str], relationships: tuple[str, ...], *, external_id: bool = True
) -> th.PropertiesList:
    return _entity(
        th.ObjectType(
            *(field_property(slug, {"valueType": kind}) for slug, kind in fields.items()),
            additional_properties=True,
        ),
        th.ObjectType(
            *(th.Property(slug, th.ArrayType(th.StringType)) for slug in relationships),
            additional_properties=th.ArrayType(th.StringType),
        ),
        external_id=external_id,
    )


#: What a privacy-aware read adds to a record (meetings, emails) [D].
PRIVACY_AWARE = th.PropertiesList(
    th.Property("accessLevel", th.StringType, description="FULL or METADATA (redacted)"),
    th.Property("objectType", th.StringType),
)
#: A record moved to the trash: when (see ``tap_lightfield.trash``).
DELETED = th.Property("_sdc_deleted_at", th.DateTimeType, description="When it was trashed")

#: Members as the official client types them [D]: ``$name`` a FULL_NAME, ``$role`` TEXT, and
#: the ``$user`` behind the member.
MEMBER = _fixed(
    {"$email": "EMAIL", "$name": "FULL_NAME", "$profileImage": "URL", "$role": "TEXT"},
    ("$user",),
    external_id=False,
)

#: Emails have no definitions endpoint: the keys the log body documents [D]. A list item has
#: no ``$body`` [D]; ``email_bodies`` fetches it (one request per email).
_EMAIL_FIELDS = {
    "$subject": "TEXT",
    "$from": "EMAIL",
    "$sentAt": "DATETIME",
    "$threadId": "TEXT",
    "$privacySetting": "SINGLE_SELECT",
    "$body": "HTML",
}
_MANY = {"typeConfiguration": {"multipleValues": True}}
EMAIL = _entity(
    th.ObjectType(
        *(field_property(k, {"valueType": t}) for k, t in _EMAIL_FIELDS.items()),
        *(field_property(k, {"valueType": "EMAIL", **_MANY}) for k in ("$to", "$cc", "$bcc")),
        additional_properties=True,
    ),
    th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
)
for _extra in PRIVACY_AWARE:
    EMAIL.append(_extra)

LIST = th.PropertiesList(
    th.Property("id", th.StringType, required=True),
    th.Property("createdAt", th.DateTimeType),
    th.Property("httpLink", th.StringType),
    th.Property(
        "fields",
        th.ObjectType(
            th.Property("$name", th.StringType),
            th.Property("$objectType", th.StringType),
            additional_properties=True,
        ),
    ),
)

LIST_MEMBER = th.PropertiesList(
    th.Property("list_id", th.StringType, required=True),
    th.Property("record_id", th.StringType, required=True),
    th.Property("object_type", th.StringType, description="account, contact or opportunity"),
)

FILE = th.PropertiesList(
    th.Property("id", th.StringType, required=True),
    th.Property("status", th.StringType),
    th.Property("filename", th.StringType),
    th.Property("mimeType", th.StringType),
    th.Property("sizeBytes", th.IntegerType),
    th.Property("createdAt", th.DateTimeType),
    th.Property("completedAt", th.DateTimeType),
    th.Property("expiresAt", th.DateTimeType),
    th.Property(MODIFIED_AT, th.DateTimeType, description="completedAt, else createdAt"),
)

#: What ``files_content: inline`` adds to a file record (never asked of the API).
FILE_CONTENT = th.PropertiesList(
    th.Property("content_base64", th.StringType, description="The bytes, base64."),
    th.Property("sha256", th.StringType, description="SHA-256 of the bytes, hex."),
)


def file_properties(files_content: str) -> th.PropertiesList:
    """A file record's properties, with the content fields ``files_content`` adds."""
    extra = FILE_CONTENT if files_content == "inline" else th.PropertiesList()
    return th.PropertiesList(*FILE, *extra)
