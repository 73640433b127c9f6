"""Field kinds of every resource (for filters and sorting) and the system asset types."""

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

CONTACT_METHODS = ["Phone", "Fax", "Mobile", "Email", "Website", "Twitter", "LinkedIn", "Other"]
CONTACT_TYPES = [
    "Approver",
    "Champion",
    "Decision Maker",
    "End User",
    "Evaluator",
    "Influencer",
    "Owner",
    "Other",
]
ORGANIZATION_TYPES = {
    "client": "Organizations you provide services to",
    "vendor": "Suppliers of hardware, software and services",
    "partner": "Companies you work with",
    "internal": "Your own company",
}


def prop(name: str, ptype: str = "string", **extra: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "type": ptype,
        "display_name": name.replace("_", " ").title(),
        "description": None,
        "required": False,
    }
    definition.update(extra)
    return definition


def ref(name: str, targets: list[str], *, multiple: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "display_name": name.replace("_", " ").title(),
        "required": False,
        "multiple": multiple,
        "target_asset_types": targets,
    }


def system_asset_types() -> list[dict[str, Any]]:
    """The three system types every account has; contact per the contract, the rest plausible."""
    contact_method_item = {
        "type": "object",
        "properties": [
            prop("type", required=True, enum=CONTACT_METHODS),
            prop("value", required=True),
        ],
    }
    contact = {
        "name": "system.contact",
        "display_name": "Contacts",
        "description": "People at an organization",
        "properties": [
            prop("first_name"),
            prop("last_name"),
            prop("title"),
            prop("important", "boolean", required=True),
            prop("contact_type", enum=CONTACT_TYPES),
            prop("contact_methods", "array", array=contact_method_item),
            prop("preferred_contact_method", enum=CONTACT_METHODS),
            prop("notes", "richtext"),
        ],
        "references": [ref("location", ["system.location"])],
    }
    location = {
        "name": "system.location",
        "display_name": "Locations",
        "description": "Offices, sites and data centres",
        "properties": [
            prop("name", required=True),
            prop("address_line_1"),
            prop("address_line_2"),
            prop("city"),
            prop("state"),
            prop("postal_code"),
            prop("country"),
            prop("phone"),
            prop("is_primary", "boolean"),
            prop("notes", "richtext"),
        ],
        "references": [],
    }
    configuration = {
        "name": "system.configuration",
        "display_name": "Configurations",
        "description": "Devices: servers, workstations, printers, network gear",
        "properties": [
            prop("name", required=True),
            prop(
                "configuration_type", enum=["Server", "Workstation", "Laptop", "Printer", "Other"]
            ),
            prop("hostname"),
            prop("serial_number"),
            prop("ip_address"),
            prop("manufacturer"),
            prop("model"),
            prop("install_date", "date"),
            prop("warranty_expires_at", "datetime"),
            prop("admin_password", "secret"),
            prop(
                "config_backup",
                "file",
                file_rules={
                    "max_size": 10 * 1024 * 1024,
                    "allowed_extensions": [".txt", ".cfg", ".conf", ".json", ".zip"],
                    "allowed_mime_types": [
                        "text/plain",
                        "application/json",
                        "application/zip",
                        "application/octet-stream",
                    ],
                },
            ),
            prop("notes", "richtext"),
        ],
        "references": [ref("location", ["system.location"])],
    }
    return [contact, location, configuration]


def asset_field_kinds(asset_type: dict[str, Any]) -> dict[str, str]:
    kinds = dict(ASSET_FIXED_FIELDS)
    for definition in asset_type["properties"]:
        kinds[definition["name"]] = PROPERTY_KINDS.get(definition["type"], "string")
    return kinds
