"""What tap-lexful sends with ``children: all_parents``, for the child-version tests: a source
account of two contacts with their links and files, and its messages under ACTIVATE_VERSION."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.helpers import record, schema

CONTACT = "system.contact"
LINK_KEY = ["asset_id", "related_asset_id"]


REQUIRED = {"last_name": "V", "important": False}  # what a contact needs besides its name


def new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class Source:
    """A source account: one organization, two contacts (Ada, Bob), their links and files."""

    org: dict[str, Any] = field(
        default_factory=lambda: {
            "id": new_uuid(),
            "name": "Versions Inc",
            "type": "client",
            "status": "active",
        }
    )
    ids: dict[str, str] = field(default_factory=lambda: {"Ada": new_uuid(), "Bob": new_uuid()})

    def contacts(self) -> list[dict[str, Any]]:
        return [
            {"id": cid, "organization_id": self.org["id"], "first_name": name, **REQUIRED}
            for name, cid in self.ids.items()
        ]

    def link(self, source: str, related: str) -> dict[str, Any]:
        return {
            "asset_id": self.ids[source],
            "asset_type": CONTACT,
            "related_asset_id": self.ids[related],
            "related_asset_type": CONTACT,
            "description": f"{source} knows {related}",
        }

    def file(self, owner: str, name: str) -> dict[str, Any]:
        data = f"{name} of {owner}\n".encode()
        return {
            # The file's source id follows its name: the same file in every run.
            "id": str(uuid.uuid5(uuid.UUID(self.ids[owner]), name)),
            "asset_id": self.ids[owner],
            "asset_type": CONTACT,
            "name": name,
            "original_name": name,
            "file_extension": "txt",
            "mime_type": "text/plain",
            "size": len(data),
            "content_base64": base64.b64encode(data).decode(),
        }

    def full_links(self) -> list[dict[str, Any]]:
        return [self.link("Ada", "Bob"), self.link("Bob", "Ada")]

    def full_files(self) -> list[dict[str, Any]]:
        return [self.file("Ada", "ada.txt"), self.file("Bob", "bob.txt")]


def source_messages(
    src: Source, links: list[dict], files: list[dict], version: int | None
) -> list[dict | str]:
    """Organizations, contacts, then the two child streams (versioned when ``version``)."""
    out: list[dict | str] = [
        schema("organizations"),
        record("organizations", src.org),
        schema("system_contact"),
        *[record("system_contact", c) for c in src.contacts()],
    ]
    out += children("related_assets", LINK_KEY, links, version)
    out += children("files", ["id"], files, version)
    return out


def children(
    stream: str, key: list[str], records: list[dict], version: int | None, *, whole: bool = True
) -> list:
    """As tap-lexful sends them: ACTIVATE_VERSION V before the records, V in each, and V
    again after the last one when the pass is whole (``whole=False``: a pass cut short)."""
    out: list[dict | str] = [schema(stream, key)]
    if version is not None:
        # Sent even when no record follows: the version alone says the set may be empty.
        out.append(activate(stream, version))
    for rec in records:
        out.append({**record(stream, rec), **({"version": version} if version else {})})
    if version is not None and whole:
        out.append(activate(stream, version))
    return out


def activate(stream: str, version: int) -> dict:
    return {"type": "ACTIVATE_VERSION", "stream": stream, "version": version}


def people(client: Any) -> dict[str, dict]:
    """The destination's contacts by first name, read back through the API."""
    return {p["first_name"]: p for p in list_all(client, contract.assets_path(CONTACT))}
