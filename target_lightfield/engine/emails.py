"""Emails, copied through ``POST /v1/emails/log`` [D]: history another system holds.

A logged email cannot be updated (the API has no email update [D]): once the id map has it,
it is unchanged, or ``not_updatable`` (one warning a run) when the source sends it changed
(its ``$body`` with ``email_bodies`` turned on later). Its ``Message-ID`` is derived from the
source email's id, so that logging it again answers 409 ("already exists, nothing written"
[D]): counted unchanged, never a reject. The addresses of source members go through
``member_map``; the log needs a workspace member and an external address among the
participants [D]: checked before the request (a dry run plans the same), with the API's
reason.
"""

from __future__ import annotations

import logging
from typing import Any

from connector_core.target import DONE, RecordError, stable_hash
from lightfield_api import contract
from lightfield_api.errors import LightfieldHTTPError
from target_lightfield.engine.model import CREATED, UNCHANGED, Context, Job, Outcome, canonical
from target_lightfield.engine.records import create

LOGGER = logging.getLogger("target_lightfield")
#: A logged email the source has changed since: its copy cannot follow (no email update).
NOT_UPDATABLE = "not_updatable"
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
    body = log_body(ctx, job)
    digest = stable_hash(canonical(body))
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is not None and entry.state == DONE and entry.target_id:
        if entry.body_hash and entry.body_hash != digest:
            return _not_updatable(ctx, job, entry.target_id, entry.body_hash, body)
        return Outcome(UNCHANGED, entry.target_id, entry.body_hash or "")
    check_participants(ctx, body)
    try:
        return Outcome(CREATED, create(ctx, job, body), digest)
    except LightfieldHTTPError as exc:
        if exc.status != 409:
            raise
        # Already logged (a run before this id map, or its key expired): there, unchanged.
        return Outcome(UNCHANGED, f"message:{message_id(job.source_id)}", digest)


def check_participants(ctx: Context, body: dict[str, Any]) -> None:
    """The log's rule [D]: one participant a workspace member and one external. Checked
    before the request, so that a dry run plans what the real run does."""
    fields = body["fields"]
    people = [fields.get("$from"), *(a for k in _RECIPIENTS for a in fields.get(k) or [])]
    addresses = {str(a).lower() for a in people if a}
    members = set(ctx.members.by_email())
    if addresses & members and addresses - members:
        return
    why = (
        "none of its participants is a workspace member (see member_map)"
        if not addresses & members
        else "every participant is a workspace member"
    )
    msg = f"one participant must be a workspace member and one must be external: {why}"
    raise RecordError(msg)


def _not_updatable(
    ctx: Context, job: Job, target_id: str, logged: str, body: dict[str, Any]
) -> Outcome:
    """The source's email differs from what was logged (a ``$body`` the tap sends now, with
    ``email_bodies`` turned on later): the API has no email update [D SDK ``email.*``: list,
    retrieve, log, delete, restore, draft, send], so its copy stays as logged. Told once a
    run, counted ``not_updatable``; the id map keeps the logged digest, so it is told again."""
    if ctx.warn_once(("email_not_updatable", job.stream)):
        with_body = " (it has a $body now)" if contract.EMAIL_BODY in body["fields"] else ""
        LOGGER.warning(
            "stream %r: email %s differs from its logged copy %s%s, and a logged email cannot "
            "be updated (Lightfield has no email update): its copy, and any other such email's, "
            "stay as first logged; counted as not_updatable",
            job.stream,
            job.source_id,
            target_id,
            with_body,
        )
    return Outcome(NOT_UPDATABLE, target_id, logged)
