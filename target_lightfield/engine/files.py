"""Files, written in three steps [D]: created (name, size, MIME type; the intent and
``Idempotency-Key`` first, as for any create), the bytes PUT to the presigned URL with the
answer's ``uploadHeaders``, then completed with their MD5.

The bytes come from the record as the core allows (``connector_core.target.file_content``):
inline ``content_base64`` (tap-lightfield's ``files_content: inline``), or a ``local_path`` or
``download_url`` only within ``files_root`` / ``allowed_download_hosts``.
"""

from __future__ import annotations

import logging
from typing import Any

from connector_core import upload_headers
from connector_core.target import DONE, INTENT, RecordError, file_content, stable_hash
from lightfield_api import contract
from target_lightfield.engine.model import (
    CREATED,
    FILE_SHAPE,
    UNCHANGED,
    Context,
    Job,
    Outcome,
    canonical,
    from_intent,
    idempotency_key,
    intent_note,
)

_LOG = logging.getLogger(__name__)


def write(ctx: Context, job: Job) -> Outcome:
    """Unchanged when the id map has it with the same metadata and checksum; otherwise its
    bytes loaded (by the core's rules) and uploaded."""
    record = job.record
    name = record.get("filename")
    if not isinstance(name, str) or not name:
        raise RecordError("file has no filename")
    mime = record.get("mimeType")
    mime = mime if isinstance(mime, str) and mime else file_content.DEFAULT_MIME
    meta = {"filename": name, "mimeType": mime}
    digest = stable_hash(
        {**meta, "sizeBytes": record.get("sizeBytes"), "sha256": record.get("sha256")}
    )
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is not None and entry.state == DONE and entry.target_id and entry.body_hash == digest:
        return Outcome(UNCHANGED, entry.target_id, digest)
    try:
        if ctx.settings.dry_run:  # the source checked, nothing read or fetched
            file_content.check_source(record, ctx.file_sources, FILE_SHAPE)
            return Outcome(CREATED, ctx.planned("create", job), digest)
        content = file_content.load_content(record, ctx.client, ctx.file_sources, FILE_SHAPE)
    except file_content.FileContentError as exc:
        raise RecordError(str(exc)) from None
    resumed = entry is not None and entry.state == INTENT
    try:
        body = {**meta, "sizeBytes": content.size}
        return Outcome(CREATED, _upload(ctx, job, body, content, digest, resumed=resumed), digest)
    except file_content.FileContentError as exc:  # the local file was swapped after its check
        raise RecordError(str(exc)) from None
    finally:
        content.discard()


def _upload(
    ctx: Context,
    job: Job,
    body: dict[str, Any],
    content: file_content.FileContent,
    digest: str,
    *,
    resumed: bool,
) -> str:
    """Create, PUT, complete [D]; the workspace's file id."""
    raw = canonical(body)
    # The key names the content and the run too: a file whose bytes changed is a new file
    # (files are not updated), while a resumed run gets the first answer again (the key is
    # the intent's).
    key = idempotency_key(job.stream, job.source_id, f"{raw}\n{content.sha256}", ctx.run)
    entry = ctx.ids.get(job.stream, job.source_id) if resumed else None
    if entry is not None and entry.state == INTENT and entry.note:
        stored_key, stored_raw = from_intent(entry.note, job.stream, job.source_id)
        if stored_raw == raw and entry.note.startswith(stored_key):  # this version's intent
            key = stored_key
    ctx.ids.intend(job.stream, job.source_id, job.route.object_type, None, intent_note(key, raw))
    headers = {contract.IDEMPOTENCY_HEADER: key, "Content-Type": "application/json"}
    created = ctx.client.request(
        "POST", job.route.create_path, data=raw.encode(), headers=headers
    ).json()
    file_id = str(created["id"])
    # A replayed answer says PENDING whatever happened after it: ask for the truth, since
    # a completed file refuses more bytes (409).
    if resumed and ctx.client.get_json(contract.file_path(file_id)).get("status") == "COMPLETED":
        return file_id
    # Only what a storage protocol needs: no Host, hop-by-hop or unknown X- header.
    headers, dropped = upload_headers(created.get("uploadHeaders"))
    if dropped:
        _LOG.warning("file %s: upload headers left out: %s", file_id, ", ".join(dropped))
    ctx.client.request(
        "PUT",
        str(created["uploadUrl"]),
        data=content.opener,
        headers=headers,
        authenticated=False,  # the URL signs itself (and is checked: presigned.py)
    )
    ctx.client.send_json("POST", contract.file_path(file_id, "complete"), {"md5": content.md5})
    return file_id
