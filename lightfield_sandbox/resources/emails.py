"""Emails: logged through ``POST /v1/emails/log`` (history from another system), listed without
their ``$body``, retrieved with it, trashed and restored. Reads are privacy-aware."""

from __future__ import annotations

from typing import Any

from lightfield_api import contract
from lightfield_sandbox.common.errors import LightfieldError, bad_request, not_found
from lightfield_sandbox.common.ids import new_id
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import FieldDef
from lightfield_sandbox.resources.values import normalize, wrap

KIND = "email"
F = FieldDef
EMAIL_FIELDS = {  # [D] the keys of the log body; [A] their read types
    "$subject": F("Subject", "TEXT"),
    "$from": F("From", "EMAIL"),
    "$to": F("To", "EMAIL", multiple=True),
    "$cc": F("Cc", "EMAIL", multiple=True),
    "$bcc": F("Bcc", "EMAIL", multiple=True),
    "$sentAt": F("Sent at", "DATETIME"),
    "$threadId": F("Thread", "TEXT"),
    "$privacySetting": F("Privacy", "SINGLE_SELECT", options=("FULL", "METADATA")),
    contract.EMAIL_BODY: F("Body", "HTML"),
}
LOG_KEYS = frozenset({"fields", "autoCreateRecords", "headers"})  # [D]
REDACTED = ("$subject", contract.EMAIL_BODY)
# Kept beside the record, never read back: who logged it and its Message-ID.
PRIVATE = ("_createdBy", "_messageId")


def _member_emails(actor: Actor) -> set[str]:
    members = actor.store.index_view(actor.workspace_id, "member", None)
    return {str(m["fields"]["$email"]["value"]).lower() for m in members}


def _body_html(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict) and set(raw) <= {"html", "text"}:
        return str(raw.get("html") or raw.get("text") or "") or None
    raise bad_request("$body is {html?, text?}", contract.INVALID_VALUE, "fields.$body")


def _message_id(actor: Actor, headers: Any, record_id: str) -> str:
    if headers is None:
        headers = {}
    if not isinstance(headers, dict):
        raise bad_request("headers must be an object", contract.INVALID_VALUE, "headers")
    given = {k.lower(): v for k, v in headers.items()}.get(contract.EMAIL_MESSAGE_ID.lower())
    return str(given) if given else f"<{record_id}@sandbox.lightfield.invalid>"


def _check_fields(actor: Actor, fields: dict[str, Any]) -> None:
    for key in ("$sentAt", "$from"):
        if not fields.get(key):
            raise bad_request(f"requires {key}", "parameter_missing", f"fields.{key}")
    recipients = [a for k in ("$to", "$cc", "$bcc") for a in fields.get(k) or []]
    if not recipients:
        msg = "requires a recipient in $to, $cc or $bcc"
        raise bad_request(msg, "parameter_missing", "fields.$to")
    if fields["$sentAt"] > actor.now():
        raise bad_request("$sentAt must be in the past", contract.INVALID_VALUE, "fields.$sentAt")
    people = {str(a).lower() for a in [fields["$from"], *recipients]}
    members = _member_emails(actor)
    if not people & members or not people - members:
        msg = "one participant must be a workspace member and one must be external"
        raise bad_request(msg, contract.INVALID_VALUE, "fields.$from")


def log(actor: Actor, body: Any) -> dict[str, Any]:
    """A logged email; an email with the same Message-ID already there: 409, nothing written."""
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    for key in body:
        if key not in LOG_KEYS:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, key)
    raw = body.get("fields")
    if not isinstance(raw, dict):
        raise bad_request("requires fields", "parameter_missing", "fields")
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        fd = EMAIL_FIELDS.get(key)
        if fd is None:
            raise bad_request(f"unknown field {key}", contract.UNKNOWN_FIELD, f"fields.{key}")
        fields[key] = _body_html(value) if key == contract.EMAIL_BODY else normalize(fd, key, value)
    _check_fields(actor, fields)
    if fields.get("$privacySetting") is None:
        fields["$privacySetting"] = "METADATA"
    record_id = new_id(KIND, actor.store.clock.now_ms())
    message_id = _message_id(actor, body.get("headers"), record_id)
    every = actor.store.index_view(actor.workspace_id, KIND, None)
    if any(
        e.get("_messageId") == message_id
        for e in every + actor.store.trashed(actor.workspace_id, KIND)
    ):
        raise LightfieldError(409, f"an email with Message-ID {message_id} already exists")
    doc = {
        "id": record_id,
        "createdAt": actor.now(),
        "updatedAt": None,
        "externalId": None,
        "httpLink": f"{contract.HTTP_LINK_BASE}/email/{record_id}",
        "fields": {k: wrap(fd, fields.get(k)) for k, fd in EMAIL_FIELDS.items()},
        "relationships": {},
        "_createdBy": actor.member_id,
        "_messageId": message_id,
    }
    actor.store.insert(actor.workspace_id, KIND, doc)
    return as_read_by(actor, doc)


def as_read_by(actor: Actor, doc: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
    """The email as the caller may see it: METADATA privacy hides the subject and body from
    anyone but who logged it; list items have no ``$body`` [D]."""
    full = doc["fields"]["$privacySetting"]["value"] != "METADATA" or (
        doc.get("_createdBy") == actor.member_id
    )
    fields = dict(doc["fields"])
    if not full:
        for key in REDACTED:
            fields[key] = {**fields[key], "value": None}
    if listed:
        fields.pop(contract.EMAIL_BODY, None)
    out = {k: v for k, v in doc.items() if k not in PRIVATE}
    return {
        **out,
        "fields": fields,
        "accessLevel": "FULL" if full else "METADATA",
        "objectType": "email",
    }


def get(actor: Actor, record_id: str) -> dict[str, Any]:
    doc = actor.store.get(actor.workspace_id, KIND, record_id)
    if doc is None:
        raise not_found(f"email {record_id}")
    return doc


def delete(actor: Actor, record_id: str) -> dict[str, Any]:
    """To the trash; an email already trashed answers as it is."""
    doc = actor.store.get(actor.workspace_id, KIND, record_id, include_deleted=True)
    if doc is None:
        raise not_found(f"email {record_id}")
    if not actor.store.is_trashed(actor.workspace_id, KIND, record_id):
        doc["updatedAt"] = actor.now()
        actor.store.trash(actor.workspace_id, KIND, record_id, doc)
    return doc


def restore(actor: Actor, record_id: str) -> dict[str, Any]:
    doc = actor.store.get(actor.workspace_id, KIND, record_id, include_deleted=True)
    if doc is None:
        raise not_found(f"email {record_id}")
    if actor.store.is_trashed(actor.workspace_id, KIND, record_id):
        doc["updatedAt"] = actor.now()
        actor.store.untrash(actor.workspace_id, KIND, doc)
    return doc
