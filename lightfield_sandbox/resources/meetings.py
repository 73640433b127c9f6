"""What meetings add to the entity rules: past meetings only, a completed transcript, and
privacy-aware reads."""

from __future__ import annotations

from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import bad_request
from lightfield_sandbox.resources.actor import Actor

REDACTED_FIELDS = ("$description", "$meetingUrl", "$attendeeEmails")


def check(actor: Actor, doc: dict[str, Any]) -> None:
    """A meeting must be in the past and end after it starts; a transcript must be COMPLETED."""
    fields = doc["fields"]
    start, end = fields["$startDate"]["value"], fields["$endDate"]["value"]
    if end and end > actor.now():
        raise bad_request("meetings must be in the past", contract.INVALID_VALUE, "fields.$endDate")
    if start and end and end < start:
        raise bad_request(
            "$endDate is before $startDate", contract.INVALID_VALUE, "fields.$endDate"
        )
    for file_id in doc["relationships"]["$transcript"]["values"]:
        stored = actor.store.get(actor.workspace_id, "file", file_id)
        if stored is None or stored["status"] != "COMPLETED":
            param = "relationships.$transcript"
            raise bad_request(
                "the transcript must be a COMPLETED file", contract.INVALID_RELATIONSHIP, param
            )


def check_update(body: dict[str, Any]) -> None:
    """An update writes ``$privacySetting`` and ``$attendeeEmails`` only (400 ``read_only``
    naming another field), and ``$transcript`` by ``{"replace": <one file id>}`` only [D]."""
    for key in body.get("fields") or {}:
        if key not in contract.MEETING_UPDATABLE_FIELDS:
            msg = f"a meeting's {key} cannot be updated"
            raise bad_request(msg, contract.READ_ONLY, f"fields.{key}")
    for key, value in (body.get("relationships") or {}).items():
        param = f"relationships.{key}"
        if key != contract.MEETING_TRANSCRIPT:
            raise bad_request(f"a meeting's {key} cannot be updated", contract.READ_ONLY, param)
        if not isinstance(value, dict) or set(value) != {"replace"}:
            msg = f"{key} takes {{replace: <file id>}} only"
            raise bad_request(msg, contract.INVALID_VALUE, param)
        if not isinstance(value["replace"], str) or not value["replace"]:
            raise bad_request(f"{key}.replace is one file id", contract.INVALID_VALUE, param)


def as_read_by(actor: Actor, doc: dict[str, Any]) -> dict[str, Any]:
    """The meeting as the caller may see it: METADATA privacy hides the content from anyone
    but its creator (``accessLevel``), and every meeting says ``objectType: "meeting"``."""
    privacy = doc["fields"]["$privacySetting"]["value"]
    creator = doc["relationships"]["$createdBy"]["values"]
    full = privacy != "METADATA" or creator == [actor.member_id]
    out = {**doc, "accessLevel": "FULL" if full else "METADATA", "objectType": "meeting"}
    if not full:
        fields = dict(doc["fields"])
        for key in REDACTED_FIELDS:
            fields[key] = {**fields[key], "value": None}
        out["fields"] = fields
    return out
