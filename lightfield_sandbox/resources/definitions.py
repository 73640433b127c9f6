"""Object definitions: the fields and relationships of every object type the sandbox serves.

The built-in types follow what the reference names (required fields, read-only fields and
relationships); what it does not name (the other fields, option IDs) is the sandbox's own.
``inverse`` names the relationship on the other side that the sandbox keeps in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldDef:
    """One field of an object type."""

    label: str
    value_type: str
    read_only: bool = False
    required: bool = False
    multiple: bool = False
    options: tuple[str, ...] = ()

    def to_api(self, key: str) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.multiple:
            config["multipleValues"] = True
        if self.options:
            config["options"] = [
                {"id": option_id(o), "label": o, "description": None} for o in self.options
            ]
        out = {
            "id": "ad_" + key.lstrip("$"),
            "slug": key,
            "label": self.label,
            "description": None,
            "valueType": self.value_type,
            "typeConfiguration": config,
            "system": key.startswith("$"),
        }
        return out | ({"readOnly": True} if self.read_only else {})


@dataclass(frozen=True)
class RelDef:
    """One relationship of an object type: to which type, how many, kept in step with what."""

    label: str
    object_type: str
    many: bool = False
    read_only: bool = False
    required: bool = False
    inverse: str | None = None

    @property
    def cardinality(self) -> str:
        return "has_many" if self.many else "has_one"

    def to_api(self, key: str) -> dict[str, Any]:
        return {
            "id": "rd_" + key.lstrip("$"),
            "slug": key,
            "label": self.label,
            "description": None,
            "cardinality": self.cardinality.upper(),
            "objectType": self.object_type,
        }


@dataclass(frozen=True)
class ObjectDef:
    """An object type: its name, its record kind in the store, its fields and relationships."""

    object_type: str
    kind: str
    fields: dict[str, FieldDef]
    relationships: dict[str, RelDef] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        return {
            "objectType": self.object_type,
            "fieldDefinitions": {k: f.to_api(k) for k, f in self.fields.items()},
            "relationshipDefinitions": {k: r.to_api(k) for k, r in self.relationships.items()},
        }


def option_id(label: str) -> str:
    return "opt_" + "".join(c if c.isalnum() else "_" for c in label.lower())


F, R = FieldDef, RelDef
STAGES = ("Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
TASK_STATUSES = ("TODO", "IN_PROGRESS", "COMPLETE", "CANCELLED")
OWNER = R("Owner", "member")
CREATED_BY = R("Created by", "member", read_only=True)

ACCOUNT = ObjectDef(
    "account",
    "account",
    {
        "$name": F("Name", "TEXT", required=True),
        "$website": F("Website", "URL", multiple=True),
        "$industry": F("Industry", "SINGLE_SELECT", options=("Software", "Retail", "Finance")),
        "$employees": F("Employees", "NUMBER"),
        "$annualRevenue": F("Annual revenue", "CURRENCY"),
        "$headquarters": F("Headquarters", "ADDRESS"),
        "$tags": F("Tags", "MULTI_SELECT", options=("Enterprise", "SMB", "Partner")),
        "$linkedIn": F("LinkedIn", "SOCIAL_HANDLE"),
        "$howTheyMakeMoney": F("How they make money", "MARKDOWN", read_only=True),
        "$accountStatus": F("Status", "SINGLE_SELECT", read_only=True, options=("Active",)),
    },
    {
        "$owner": OWNER,
        "$contact": R("Contacts", "contact", many=True, inverse="$account"),
        "$opportunity": R("Opportunities", "opportunity", many=True, read_only=True),
        "$task": R("Tasks", "task", many=True, read_only=True),
        "$note": R("Notes", "note", many=True, read_only=True),
    },
)
CONTACT = ObjectDef(
    "contact",
    "contact",
    {
        "$name": F("Name", "FULL_NAME"),
        "$email": F("Email", "EMAIL", multiple=True),
        "$phone": F("Phone", "TELEPHONE", multiple=True),
        "$title": F("Job title", "TEXT"),
        "$profilePhotoUrl": F("Profile photo", "URL"),
        "$doNotContact": F("Do not contact", "CHECKBOX"),
    },
    {
        "$account": R("Accounts", "account", many=True, inverse="$contact"),
        "$owner": OWNER,
        "$note": R("Notes", "note", many=True, read_only=True),
    },
)
OPPORTUNITY = ObjectDef(
    "opportunity",
    "opportunity",
    {
        "$name": F("Name", "TEXT", required=True),
        "$stage": F("Stage", "SINGLE_SELECT", required=True, options=STAGES),
        "$amount": F("Amount", "CURRENCY"),
        "$closeDate": F("Close date", "DATETIME"),
        "$opportunityStatus": F("Status", "SINGLE_SELECT", read_only=True, options=("Open",)),
    },
    {
        "$account": R("Account", "account", required=True, inverse="$opportunity"),
        "$owner": OWNER,
        "$task": R("Tasks", "task", many=True, read_only=True),
        "$note": R("Notes", "note", many=True, read_only=True),
    },
)
TASK = ObjectDef(
    "task",
    "task",
    {
        "$title": F("Title", "TEXT", required=True),
        "$status": F("Status", "SINGLE_SELECT", required=True, options=TASK_STATUSES),
        "$description": F("Description", "MARKDOWN"),
        "$dueAt": F("Due", "DATETIME"),
    },
    {
        "$assignedTo": R("Assigned to", "member", required=True),
        "$account": R("Account", "account", inverse="$task"),
        "$opportunity": R("Opportunity", "opportunity", inverse="$task"),
        "$createdBy": CREATED_BY,
    },
)
NOTE = ObjectDef(
    "note",
    "note",
    {"$title": F("Title", "TEXT", required=True), "$content": F("Content", "MARKDOWN")},
    {
        "$account": R("Accounts", "account", many=True, inverse="$note"),
        "$opportunity": R("Opportunities", "opportunity", many=True, inverse="$note"),
        "$contact": R("Contacts", "contact", many=True, inverse="$note"),
        "$createdBy": CREATED_BY,
    },
)
MEETING = ObjectDef(
    "meeting",
    "meeting",
    {
        "$title": F("Title", "TEXT", required=True),
        "$startDate": F("Start", "DATETIME", required=True),
        "$endDate": F("End", "DATETIME", required=True),
        "$attendeeEmails": F("Attendees", "EMAIL", multiple=True),
        "$description": F("Description", "MARKDOWN"),
        "$meetingUrl": F("Meeting URL", "URL"),
        "$organizerEmail": F("Organizer", "EMAIL"),
        "$privacySetting": F("Privacy", "SINGLE_SELECT", options=("FULL", "METADATA")),
    },
    {"$transcript": R("Transcript", "file"), "$createdBy": CREATED_BY},
)
# A custom object type every workspace has (custom types cannot be created through the API).
PROJECT = ObjectDef(
    "project",
    "object:project",
    {
        "$name": F("Name", "TEXT", required=True),
        "budget": F("Budget", "CURRENCY"),
        "phase": F("Phase", "SINGLE_SELECT", options=("Discovery", "Delivery", "Done")),
        "kickoff": F("Kickoff", "DATETIME"),
    },
    {"account": R("Account", "account"), "lead": R("Lead", "member")},
)
CUSTOM_TYPES = {"project": ("Project", PROJECT)}
BUILT_IN = {d.object_type: d for d in (ACCOUNT, CONTACT, OPPORTUNITY, TASK, NOTE, MEETING)}
