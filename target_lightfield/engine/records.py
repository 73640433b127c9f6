"""Records of the entity types and lists: created, updated, or unchanged (no request).

- known in the id map (``done``): unchanged (same body hash) or updated; a copy this target
  trashed (its source was deleted) and whose source is live again is restored, then updated;
- an ``intent`` left by a run that stopped after sending its create: the same create is sent
  again, body and ``Idempotency-Key`` as stored, and the API replays its first answer [D];
- matched by ``match_on`` in the workspace: updated;
- else created with an ``Idempotency-Key`` derived from (stream, source id), after the intent
  (key and body) is in the id map.
"""

from __future__ import annotations

import json
from typing import Any

from connector_core.target import DONE, INTENT, Entry, RecordError, stable_hash
from lightfield_api import contract
from lightfield_api.errors import LightfieldHTTPError
from target_lightfield.engine import bodies, checks, match
from target_lightfield.engine.model import (
    CREATED,
    RESTORED,
    TRASHED,
    UNCHANGED,
    UPDATED,
    Context,
    Job,
    Outcome,
    canonical,
    from_intent,
    idempotency_key,
    intent_note,
)
from target_lightfield.engine.routing import ENTITY


def write(ctx: Context, job: Job) -> Outcome:
    body = checks.apply(ctx, job, bodies.desired(job))
    digest = stable_hash(bodies.digest_view(job, body))
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is not None and entry.state == DONE and entry.target_id:
        if entry.body_hash == digest:
            return Outcome(UNCHANGED, entry.target_id, digest)
        if entry.body_hash != TRASHED:
            return update(ctx, job, entry.target_id, body, digest)
        if job.route.kind == ENTITY and restore(ctx, job, entry.target_id):
            update(ctx, job, entry.target_id, body, digest)
            return Outcome(RESTORED, entry.target_id, digest)
    if entry is not None and entry.state == INTENT and entry.note:
        return _create_again(ctx, job, entry, body, digest)
    matched = match.find(ctx, job, body)
    if matched is not None:
        return update(ctx, job, matched, body, digest)
    checks.required(job, body)
    created = create(ctx, job, bodies.create_body(job.route, body, ctx.settings))
    match.remember(ctx, job, body, created)
    return Outcome(CREATED, created, digest)


def create(ctx: Context, job: Job, body: dict[str, Any], key: str | None = None) -> str:
    """``POST`` the create; the workspace's id. The intent (key and bytes) is stored first:
    a run killed before the answer is stored sends this same create again."""
    if ctx.settings.dry_run:
        return ctx.planned("create", job)
    raw = canonical(body)
    key = key or idempotency_key(job.stream, job.source_id, raw, ctx.run)
    ctx.ids.intend(job.stream, job.source_id, job.route.object_type, None, intent_note(key, raw))
    headers = {contract.IDEMPOTENCY_HEADER: key, "Content-Type": "application/json"}
    answer = ctx.client.request("POST", job.route.create_path, data=raw.encode(), headers=headers)
    return str(answer.json()["id"])


def update(ctx: Context, job: Job, target_id: str, body: dict[str, Any], digest: str) -> Outcome:
    if ctx.settings.dry_run:
        ctx.planned("update", job)
    else:
        sent = bodies.update_body(ctx.client, job, target_id, body)
        ctx.client.send_json("POST", job.route.update_path(target_id), sent)
    return Outcome(UPDATED, target_id, digest)


def restore(ctx: Context, job: Job, target_id: str) -> bool:
    """The copy this target trashed, back from the trash (``POST .../{id}/restore`` [D SDK
    ``*.restore``]) now that its source record is live again: the same record, not a second
    one. False if the copy is gone for good (404): a new one is created."""
    if ctx.settings.dry_run:
        ctx.planned("restore", job)
        return True
    try:
        ctx.client.request("POST", job.route.restore_path(target_id))
    except LightfieldHTTPError as exc:
        if exc.status == 404:
            return False
        if exc.status == 403:
            kind = (
                job.stream if job.stream in contract.COLLECTIONS else contract.CUSTOM_OBJECTS_SCOPE
            )
            scope = f"{kind}:{contract.RESTORE_SCOPE}"
            msg = f"its copy {target_id} is in the trash and the API key lacks {scope}"
            raise RecordError(msg, exc.status) from None
        raise
    return True


def _create_again(
    ctx: Context, job: Job, entry: Entry, body: dict[str, Any], digest: str
) -> Outcome:
    assert entry.note is not None
    key, raw = from_intent(entry.note, job.stream, job.source_id)
    sent = json.loads(raw)
    target_id = create(ctx, job, sent, key)
    if sent == bodies.create_body(job.route, body, ctx.settings):
        return Outcome(CREATED, target_id, digest)
    return update(ctx, job, target_id, body, digest)  # the source changed since
