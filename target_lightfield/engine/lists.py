"""List memberships: each added to its list (``add``: adding twice is harmless [D])."""

from __future__ import annotations

from connector_core.target import DONE, RecordError
from lightfield_api import contract
from target_lightfield.engine.model import CREATED, UNCHANGED, Context, Job, Outcome

_DIGEST = "member"


def write_member(ctx: Context, job: Job) -> Outcome:
    entry = ctx.ids.get(job.stream, job.source_id)
    if entry is not None and entry.state == DONE and entry.target_id:
        return Outcome(UNCHANGED, entry.target_id, _DIGEST)
    list_id = job.targets[("list", str(job.record["list_id"]))]
    member_id = job.targets[("", str(job.record["record_id"]))]
    relationship = contract.LIST_RELATIONSHIP.get(str(job.record.get("object_type")))
    if relationship is None:
        raise RecordError(f"object_type {job.record.get('object_type')!r} cannot be listed")
    body = {"relationships": {relationship: {"add": [member_id]}}}
    if ctx.settings.dry_run:
        ctx.planned("add", job)
    else:
        ctx.client.send_json("POST", contract.collection_path("lists", list_id), body)
    return Outcome(CREATED, f"{list_id}:{member_id}", _DIGEST)
