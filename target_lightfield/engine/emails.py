"""Emails, copied through ``POST /v1/emails/log`` [D]: history another system holds.

A logged email cannot be updated: once the id map has it, it is unchanged. Its
``Message-ID`` is derived from the source email's id, so that logging it again answers 409
("already exists, nothing written" [D]): counted unchanged, never a reject. The addresses of
source members go through ``member_map``; the log needs a workspace member among the
participants [D], and an email without one is rejected with the API's reason.
"""

from __future__ import annotations

from typing import Any

from connector_core.target.id_map_schema import DONE
from connector_core.target.values import stable_hash
from lightfield_api import contract
from lightfield_api.errors import LightfieldHTTPError
from target_lightfield.engine.model import CREATED, UNCHANGED, Context, Job, Outcome, canonical
from target_lightfield.engine.records import create

_PLAIN = ("$subject", "$sentAt", "$threadId", "$privacySetting")
_RECIPIENTS = ("$to", "$cc", "$bcc")


def message_id(source_id: str) -> str:
    """The copy's Message-ID: one per source email, the same every run."""
    return f"<{source_id}@target-lightfield.invalid>"


def log_body(ctx: Context, job: Job) -> dict[str, Any]:
    fields = job.record.get("fields") or {}
    mapped = ctx.members.destination_email
    out: dict[str, Any] = {k: fields[k] for k in _PLAIN if fields.get(k) is not None}
    if fields.get("$from"):
        out["$from"] = mapped(str(fields["$from"]))
    for key in _RECIPIENTS:
        if fields.get(key):
            out[key] = [mapped(str(a)) for a in fields[key]]
    if fields.get(contract.EMAIL_BODY):
        out[contract.EMAIL_BODY] = {"html": str(fields[contract.EMAIL_BODY])}
    return {"fields": out, "headers": {contract.EMAIL_MESSAGE_ID: message_id(job.source_id)}}


def write(ctx: Context, job: Job) -> Outcome:
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is not None and entry.state == DONE and entry.target_id:
        return Outcome(UNCHANGED, entry.target_id, entry.body_hash or "")
    body = log_body(ctx, job)
    digest = stable_hash(canonical(body))
    try:
        return Outcome(CREATED, create(ctx, job, body), digest)
    except LightfieldHTTPError as exc:
        if exc.status != 409:
            raise
        # Already logged (a run before this id map, or its key expired): there, unchanged.
        return Outcome(UNCHANGED, f"message:{message_id(job.source_id)}", digest)
