"""What every account starts with: organization types and the three system asset types."""

from __future__ import annotations

from typing import Any

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
