"""A record trashed in the source (``_sdc_deleted_at``, tap-lightfield's deletes) trashes its
copy: ``DELETE`` on the copy the id map knows [D: soft, restorable]. Its references are not
resolved (they may be trashed too); a copy already gone (404) is as good as trashed, and a
record this target never wrote leaves nothing to do but a note in the id map (no workspace
id) that it is gone: a record that links to it is written without that link."""

from __future__ import annotations

from connector_core.target import DONE
from lightfield_api.errors import LightfieldHTTPError
from target_lightfield.engine.model import DELETED, TRASHED, UNCHANGED, Context, Job, Outcome


def write(ctx: Context, job: Job) -> Outcome:
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is None:  # noted as gone: a reference to it is dangling, not awaited
        return Outcome(UNCHANGED, "", TRASHED)
    if entry.state != DONE or not entry.target_id:
        return Outcome(UNCHANGED, None, TRASHED)
    if entry.body_hash == TRASHED:
        return Outcome(UNCHANGED, entry.target_id, TRASHED)
    if ctx.settings.dry_run:
        ctx.planned("delete", job)
        return Outcome(DELETED, entry.target_id, TRASHED)
    try:
        ctx.client.request("DELETE", job.route.update_path(entry.target_id))
    except LightfieldHTTPError as exc:
        if exc.status != 404:  # a meeting trashed already answers 404 [D]
            raise
    return Outcome(DELETED, entry.target_id, TRASHED)
