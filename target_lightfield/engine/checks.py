"""The definitions' checks, applied before any write (and so in a dry run too): a dry run's
plan is the real run's, and a record the API would refuse is rejected with the reason named.

- a field the type does not define: dropped with one warning per stream and field
  (``extra_fields: drop``, the default) or the record rejected (``extra_fields: reject``);
- a value of the wrong type, or a select value that is not one of the field's options
  (by label or id);
- on create, a required field or relationship missing (the contract's documented list).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from connector_core.target import RecordError
from lightfield_api import contract
from target_lightfield.engine.model import ref_ids
from target_lightfield.engine.routing import ENTITY

if TYPE_CHECKING:
    from target_lightfield.engine.model import Context, Job

LOGGER = logging.getLogger("target_lightfield")
REJECT = "reject"
_STRINGS = ("TEXT", "URL", "TELEPHONE", "SOCIAL_HANDLE", "MARKDOWN", "HTML")
_OBJECTS = {"FULL_NAME": contract.FULL_NAME_KEYS, "ADDRESS": contract.ADDRESS_KEYS}


def apply(ctx: Context, job: Job, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as it may be sent (extra fields dropped), or RecordError naming the problem."""
    route = job.route
    if route.kind != ENTITY or not route.field_defs:
        return body
    fields = dict(body.get("fields") or {})
    for key in [k for k in fields if k not in route.field_defs]:
        if ctx.settings.extra_fields == REJECT:
            msg = f"unknown field {key} (extra_fields: reject)"
            raise RecordError(msg)
        del fields[key]
        if ctx.warn_once(("extra_field", job.stream, key)):
            LOGGER.warning(
                "stream %r: field %s is not in the %s definitions: dropped (extra_fields: drop)",
                job.stream,
                key,
                route.object_type,
            )
    for key, value in fields.items():
        problem = _value_problem(route.field_defs[key], value)
        if problem:
            raise RecordError(f"fields.{key} {problem}")
    return {**body, "fields": fields}


def required(job: Job, body: dict[str, Any]) -> None:
    """A create without a field or relationship the type requires [D]: RecordError."""
    fields = body.get("fields") or {}
    for key in contract.REQUIRED_ON_CREATE.get(job.route.object_type, ()):
        if fields.get(key) in (None, "", []):
            raise RecordError(f"fields.{key} is required")
    relationships = body.get("relationships") or {}
    for slug in contract.REQUIRED_RELATIONSHIPS.get(job.route.object_type, ()):
        if not relationships.get(slug):
            raise RecordError(f"relationships.{slug} is required{_why_missing(job, slug)}")


def _why_missing(job: Job, slug: str) -> str:
    """Why a relationship the input gave is empty in the body: what its ids were left out
    for (a record rejected, with its reason; a member the workspace lacks; a record trashed
    in the source), so that the reject names the real cause."""
    kind = job.route.relationships.get(slug, "")
    given = ref_ids((job.record.get("relationships") or {}).get(slug))
    causes = [job.left_out[(kind, i)] for i in given if (kind, i) in job.left_out]
    return f": its {'; its '.join(causes)}" if causes else ""


def _value_problem(definition: dict[str, Any], value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"value", "valueType"}:
        value = value["value"]
        if value is None:
            return None
    config = definition.get("typeConfiguration") or {}
    value_type = str(definition.get("valueType"))
    if value_type == "MULTI_SELECT" or config.get("multipleValues"):
        values = value if isinstance(value, list) else [value]
        if value_type == "MULTI_SELECT" and not isinstance(value, list):
            return "must be a list of options"
        return next((p for p in (_one(definition, v) for v in values) if p), None)
    return _one(definition, value)


def _one(definition: dict[str, Any], value: Any) -> str | None:
    value_type = str(definition.get("valueType"))
    if value_type in ("SINGLE_SELECT", "MULTI_SELECT"):
        options = (definition.get("typeConfiguration") or {}).get("options") or []
        names = {str(o.get(k)) for o in options for k in ("id", "label")}
        labels = ", ".join(str(o.get("label")) for o in options)
        return None if isinstance(value, str) and value in names else f"must be one of {labels}"
    if value_type in ("NUMBER", "CURRENCY"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if value_type == "CHECKBOX":
        return None if isinstance(value, bool) else "must be true or false"
    if value_type == "EMAIL":
        ok = isinstance(value, str) and "@" in value.strip("@")
        return None if ok else "must be an email address"
    if value_type in _OBJECTS:
        ok = isinstance(value, dict) and set(value) <= set(_OBJECTS[value_type])
        return (
            None if ok else f"must be an object with keys among {', '.join(_OBJECTS[value_type])}"
        )
    if value_type in _STRINGS or value_type == "DATETIME":
        return None if isinstance(value, str) else "must be a string"
    return None
