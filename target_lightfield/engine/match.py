"""``match_on``: the workspace's record a source record is, found as the API's filter finds it.

The filter is sent as the API takes it [D] (``$field`` for ``equal``, ``$field[contains]``
where a type takes only ``contains``), and the answer compared as the filter compares: a
list matches by any element, an object (a full name, an address) by its parts, text without
case. A key that can never match (a field the type lacks, or whose type takes no filter) is
a warning once per stream and field, and the record is created.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from connector_core.target import RecordError
from lightfield_api import adapt, contract
from lightfield_api.errors import ContractMismatch
from target_lightfield.engine.routing import ENTITY

if TYPE_CHECKING:
    from target_lightfield.engine.model import Context, Job
    from target_lightfield.engine.routing import Routes

LOGGER = logging.getLogger("target_lightfield")
#: A filter value no record holds: what ``check_filters`` asks for.
NOTHING = "target-lightfield-checks-its-filter-0d1f"


def find(ctx: Context, job: Job, body: dict[str, Any]) -> str | None:
    """The workspace's record whose ``match_on`` fields equal this record's, if one."""
    keys = ctx.settings.match_on.get(job.stream)
    if not keys or job.route.kind != ENTITY:
        return None
    fields = body.get("fields") or {}
    params: dict[str, str] = {}
    for key in keys:
        operator = _operator(ctx, job.stream, key, job.route.value_types.get(key))
        probe = _probe(fields.get(key))
        if operator is None or probe is None:
            return None  # no value to match by (or a key that never matches): a create
        params[key if operator == "equal" else f"{key}[{operator}]"] = probe
    # Created by this run: the list the filter reads may not show them yet [D].
    for stored_fields, target_id in ctx.created_in(job.stream):
        if all(same(fields.get(k), stored_fields.get(k)) for k in keys):
            return target_id
    path = job.route.create_path.removesuffix("/values")
    answer = ctx.client.get_json(path, params)
    items = answer.get("data") or []
    for key in (k for k in keys if job.route.value_types.get(k) in adapt.FILTER_CHECKED_TYPES):
        values = [((i.get("fields") or {}).get(key) or {}).get("value") for i in items]
        sent = params.get(key) or next(v for k, v in params.items() if k.startswith(key + "["))
        if adapt.filter_ignored(sent, values):
            raise ContractMismatch(_ignored(job.stream, key, sent))
    for item in items:
        stored = item.get("fields") or {}
        if all(same(fields.get(k), (stored.get(k) or {}).get("value")) for k in keys):
            return str(item["id"])
    return None


def check_filters(ctx: Context, routes: Routes) -> None:
    """Before any record: each ``match_on`` stream's lookup with a value nothing holds must
    answer no record; an answer with records means the API ignored the filter
    (``adapt.filter_ignored``), and ``match_on`` would then match at random."""
    for stream, keys in sorted(ctx.settings.match_on.items()):
        try:
            route = routes.route(stream)
        except RecordError:
            continue  # a stream the workspace lacks: its records are rejected as they come
        key = next(
            (k for k in keys if route.value_types.get(k) in adapt.FILTER_CHECKED_TYPES), None
        )
        if route.kind != ENTITY or key is None:
            continue
        operator = (
            "equal" if "equal" in contract.FILTER_OPERATORS[route.value_types[key]] else "contains"
        )
        name = key if operator == "equal" else f"{key}[{operator}]"
        path = route.create_path.removesuffix("/values")
        answer = ctx.client.get_json(path, {name: NOTHING, "limit": 1})
        values = [
            ((i.get("fields") or {}).get(key) or {}).get("value") for i in answer.get("data") or []
        ]
        if adapt.filter_ignored(NOTHING, values):
            raise ContractMismatch(_ignored(stream, key, NOTHING))


def _ignored(stream: str, key: str, sent: str) -> str:
    return (
        f"match_on: Lightfield ignored the filter {key}={sent} of stream {stream!r} (its "
        f"answer holds records that do not match): remove {stream!r} from match_on (the id "
        "map alone then finds its copies)"
    )


def remember(ctx: Context, job: Job, body: dict[str, Any], target_id: str) -> None:
    """A record this run created, by its ``match_on`` fields: a list index that lags writes
    [D] would not show it to the next lookup (contract: lists lag, retrieve is current)."""
    keys = ctx.settings.match_on.get(job.stream)
    if not keys or job.route.kind != ENTITY:
        return
    fields = body.get("fields") or {}
    ctx.remember_created(job.stream, {k: fields.get(k) for k in keys}, target_id)


def same(wanted: Any, stored: Any) -> bool:
    """As the API's ``equal`` compares: any element of a list, every part of an object,
    text without case, numbers as numbers."""
    if wanted is None or stored is None:
        return False
    if isinstance(wanted, list):
        return any(same(w, stored) for w in wanted)
    if isinstance(stored, list):
        return any(same(wanted, s) for s in stored)
    if isinstance(wanted, dict):
        if not isinstance(stored, dict):
            return False
        parts = {k: v for k, v in wanted.items() if v not in (None, "")}
        return bool(parts) and all(_text(v) == _text(stored.get(k)) for k, v in parts.items())
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        try:
            return float(wanted) == float(stored)
        except (TypeError, ValueError):
            return False
    return _text(wanted) == _text(stored)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value).casefold()


def _probe(value: Any) -> str | None:
    """The one text sent as the filter's value: a list's first element, an object's first
    part (the answer is then compared in full)."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    if isinstance(value, dict):
        value = next((v for v in value.values() if v not in (None, "")), None)
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def _operator(ctx: Context, stream: str, key: str, value_type: str | None) -> str | None:
    allowed = contract.FILTER_OPERATORS.get(value_type or "", ())
    for operator in ("equal", "contains", "startsWith"):
        if operator in allowed:
            return operator
    why = "no such field" if value_type is None else f"a {value_type} field takes no filter"
    if ctx.warn_once(("match_on", stream, key)):
        LOGGER.warning(
            "stream %r: match_on %s can never match (%s): records are created", stream, key, why
        )
    return None
