"""The bodies sent for a record: only what the API accepts [D].

- a body is ``fields`` and ``relationships`` (no ``externalId``); account and contact creates
  add ``skipEnrichment`` (the ``skip_enrichment`` setting);
- an update changes a HAS_ONE relationship by ``replace`` (one id, or null to clear) and a
  HAS_MANY one by ``add`` and ``remove`` against what the copy holds (notes take no other);
- a meeting is written whole at create; an update sends only ``$privacySetting``,
  ``$attendeeEmails`` and ``$transcript`` as ``{"replace": <one file id>}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lightfield_api import contract
from target_lightfield.engine.model import ref_ids
from target_lightfield.engine.routing import ENTITY, LISTS

if TYPE_CHECKING:
    from lightfield_api.http import LightfieldClient
    from target_lightfield.engine.model import Job
    from target_lightfield.engine.routing import Route
    from target_lightfield.engine.settings import EngineSettings


def desired(job: Job) -> dict[str, Any]:
    """What the workspace should hold: writable fields, relationships as workspace ids (a
    relationship whose every id is a member left out is not written at all)."""
    route, record = job.route, job.record
    if route.kind == LISTS:
        return {"fields": {k: v for k, v in (record.get("fields") or {}).items() if k != "id"}}
    fields = {
        k: v for k, v in (record.get("fields") or {}).items() if k not in route.read_only_fields
    }
    given = record.get("relationships") or {}
    relationships = {}
    for slug in route.relationships:
        if slug not in given:  # left out of the input: the copy's links are not touched
            continue
        ids = ref_ids(given[slug])
        kind = route.relationships[slug]
        left_out = job.omitted | job.dropped | job.dangling | job.deferred
        kept = [job.targets[(kind, i)] for i in ids if (kind, i) not in left_out]
        if kept or len(kept) == len(ids):
            relationships[slug] = kept
    return {"fields": fields, "relationships": relationships}


def digest_view(job: Job, body: dict[str, Any]) -> dict[str, Any]:
    """What a record's body hash covers: the body, with a soft relationship (written when its
    records are in the copy) as the source's ids, so that an unchanged source stays unchanged
    once the other side has written the links."""
    if not job.route.soft:
        return body
    given = job.record.get("relationships") or {}
    relationships = dict(body.get("relationships") or {})
    for slug in job.route.soft:
        if slug in given:
            relationships[slug] = sorted(ref_ids(given[slug]))
    return {**body, "relationships": relationships}


def create_body(route: Route, body: dict[str, Any], settings: EngineSettings) -> dict[str, Any]:
    """A create sends what has a value: a null or empty value is what a new record holds."""
    out = dict(body)
    out["fields"] = {k: v for k, v in body["fields"].items() if v is not None}
    if route.kind == ENTITY:
        out["relationships"] = {
            k: (v if k in route.many else v[0]) for k, v in body["relationships"].items() if v
        }
        extra = contract.CREATE_EXTRA_KEYS.get(route.object_type, ())
        if settings.skip_enrichment and contract.SKIP_ENRICHMENT in extra:
            out[contract.SKIP_ENRICHMENT] = True
    return out


def update_body(
    client: LightfieldClient, job: Job, target_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The update that makes the copy hold ``body``."""
    route = job.route
    if route.kind == LISTS:  # a list's $objectType cannot change [A]
        return {"fields": {k: v for k, v in body["fields"].items() if k != "$objectType"}}
    relationships: dict[str, Any] = body["relationships"]
    if route.object_type == "meeting":
        fields = {k: v for k, v in body["fields"].items() if k in contract.MEETING_UPDATABLE_FIELDS}
        out: dict[str, Any] = {"fields": fields}
        transcript = relationships.get(contract.MEETING_TRANSCRIPT) or []
        if len(transcript) == 1:
            out["relationships"] = {contract.MEETING_TRANSCRIPT: {"replace": transcript[0]}}
        return out
    current: dict[str, Any] = {}
    if any(slug in route.many for slug in relationships):
        current = client.get_json(route.update_path(target_id)).get("relationships") or {}
    changes: dict[str, Any] = {}
    for slug, wanted in relationships.items():
        if slug not in route.many:
            changes[slug] = {"replace": wanted[0] if wanted else None}
            continue
        have = list((current.get(slug) or {}).get("values") or [])
        add = [i for i in wanted if i not in have]
        remove = [i for i in have if i not in wanted]
        operations = {k: v for k, v in (("add", add), ("remove", remove)) if v}
        if operations:
            changes[slug] = operations
    return {"fields": body["fields"], "relationships": changes}
