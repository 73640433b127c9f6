"""What organizations, assets and users share: a record matched to its copy in the destination
(the id map, match keys, recovery after a crash), then created, PATCHed where it differs, or
deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connector_core.target import (
    DELETED_HASH,
    DONE,
    INTENT,
    RecordError,
    is_uuid,
    json_safe,
    stable_hash,
)
from lexful_api import LexfulHTTPError, contract
from target_lexful.engine.handlers.base import NEVER_COPIED, Handler, match_keys
from target_lexful.engine.model import (
    CREATE,
    DELETE,
    DRY_RUN_ID_PREFIX,
    SKIP,
    UNCHANGED,
    UPDATE,
    Job,
    Plan,
    SettingRecordError,
    rejectable,
)

_RECOVERY_SLACK_S = 120  # clock skew between this machine and the API, when recovering intents


class MatchedRecordHandler(Handler):
    """A record matched to its destination copy through a list path and an item path;
    subclasses say where and how to find it."""

    def list_path(self, job: Job) -> str:
        raise NotImplementedError

    def item_path(self, job: Job, target_id: str) -> str:
        raise NotImplementedError

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        """A list filter that narrows the search for a record an interrupted run created."""
        raise NotImplementedError

    # -- plan ---------------------------------------------------------------------------------

    def plan_upsert(self, job: Job, body: dict[str, Any], asset_type: str | None) -> Plan:
        """Create, update or unchanged; a None in ``body`` clears the field (omitted: kept).

        The hash leaves the Nones out: a field set to null and a field never sent hash the
        same, so a record written before nulls were sent is not counted as changed.
        """
        digest = stable_hash(without_nulls(body))
        entry = self.entry(job)
        if entry and entry.state == DONE and entry.target_id:
            # Known to the id map: the same as what we wrote last is unchanged, unread.
            if entry.body_hash == digest:
                return Plan(job, UNCHANGED, body, digest, entry.target_id, body, asset_type)
            # Otherwise only what differs from Lexful's current values is a change.
            return self._plan_known(job, body, digest, entry.target_id, asset_type)
        existing = job.existing
        if existing is None and entry and entry.state == INTENT:
            existing = self.recover(job, body, entry.changed_at)
        if existing is None:
            existing = self.match(job, body)
        if existing is not None:
            changes = diff(body, existing)
            action = UPDATE if changes else UNCHANGED
            return Plan(job, action, body, digest, existing["id"], changes, asset_type)
        # Nothing to clear in a record that does not exist yet.
        return Plan(job, CREATE, without_nulls(body), digest, asset_type=asset_type)

    def _plan_known(
        self, job: Job, body: dict[str, Any], digest: str, target_id: str, asset_type: str | None
    ) -> Plan:
        """A record the id map knows, that differs from what was written last: compared
        with Lexful's current values, so that a source change Lexful already has is no
        update. A secret reads back masked: when the body holds one, it is sent anyway."""
        if target_id.startswith(DRY_RUN_ID_PREFIX):  # dry_run: created earlier in this plan
            return Plan(job, UPDATE, body, digest, target_id, body, asset_type)
        try:
            current = self.deps.client.get_json(self.item_path(job, target_id))
        except LexfulHTTPError as exc:
            if exc.status != 404:
                raise
            # Deleted in Lexful since: the update writes it again (``_update``).
            return Plan(job, UPDATE, body, digest, target_id, body, asset_type)
        changes = diff(body, current)
        secrets = {k: v for k, v in body.items() if contract.is_masked(current.get(k))}
        if changes:
            changes.update(secrets)
        action = UPDATE if changes or secrets else UNCHANGED
        return Plan(job, action, body, digest, target_id, changes or secrets or body, asset_type)

    def plan_delete(self, job: Job, asset_type: str | None) -> Plan:
        entry = self.entry(job)
        if not entry or entry.state != DONE or not entry.target_id:
            return Plan(job, SKIP, {}, DELETED_HASH, extra=NEVER_COPIED)
        action = UNCHANGED if entry.body_hash == DELETED_HASH else DELETE
        return Plan(job, action, {}, DELETED_HASH, entry.target_id, asset_type=asset_type)

    def match(self, job: Job, body: dict[str, Any]) -> dict[str, Any] | None:
        """The existing record the ``match_on`` keys of the stream name, if any."""
        keys = match_keys(self.deps.match_on, job.stream, job.route)
        if not keys:
            return None
        params = {}
        for key in keys:
            value = body.get(key)
            if value is None:
                msg = f"match_on key {key!r} has no value in this record"
                raise SettingRecordError(msg)
            params[key] = contract.filter_value(value)
        items = self._find(job, params, 2)
        if len(items) > 1:
            msg = f"match_on {keys} matches more than one existing record: cannot tell which"
            raise RecordError(msg)
        return items[0] if items else None

    def recover(self, job: Job, body: dict[str, Any], intended_at: float) -> dict[str, Any] | None:
        """A create may have succeeded before the last run died: look for what it made."""
        keys = match_keys(self.deps.match_on, job.stream, job.route)
        if keys and all(body.get(k) is not None for k in keys):
            params = {k: contract.filter_value(body[k]) for k in keys}
        else:
            params = self.natural_filter(job, body)
        if not params:
            return None
        since = dt.datetime.fromtimestamp(intended_at - _RECOVERY_SLACK_S, dt.timezone.utc)
        params["created_at[gte]"] = contract.format_timestamp(since)
        # Created since the intent and equal in every field we would write: ours.
        found = next((i for i in self._find(job, params, 100) if not diff(body, i)), None)
        if found:
            self.deps.logger.info(
                "%s %s: found the record an interrupted run created (%s)",
                job.stream,
                job.source_id,
                found["id"],
            )
        return found

    def prefetch(self, jobs: list[Job]) -> None:
        # A record whose own id is a Lexful id of this account is that record: update it.
        by_id = {j.source_id: j for j in jobs if is_uuid(j.source_id) and not self.is_done(j)}
        ids = list(by_id)
        for start in range(0, len(ids), contract.BULK_LIMIT):
            chunk = ids[start : start + contract.BULK_LIMIT]
            job = by_id[chunk[0]]
            for item in self._find(job, {"id[in]": ",".join(chunk)}, len(chunk)):
                if item.get("id") in by_id:
                    by_id[item["id"]].existing = item

    # -- execute ------------------------------------------------------------------------------

    def execute_one(self, plan: Plan) -> None:
        if plan.action == CREATE:
            self._create(plan)
        elif plan.action == UPDATE:
            self._update(plan)
        elif plan.action == DELETE:
            self._delete(plan)

    def _create(self, plan: Plan) -> None:
        self.intend(plan)
        created = self.deps.client.send_json("POST", self.list_path(plan.job), plan.body)
        plan.result_id = created["id"]
        self.converge(plan, created)

    def converge(self, plan: Plan, created: dict[str, Any]) -> None:
        """Another run may have created the same record at the same moment: no unique key
        refuses the second create of what ``match_on`` places. So read it back by its keys;
        of the records they place, every run keeps the first created (``first_created``), and
        the run that created a younger copy deletes it and takes the first instead, before
        anything of this run references it. Runs converge without knowing of each other.
        """
        job = plan.job
        keys = match_keys(self.deps.match_on, job.stream, job.route)
        if not keys or any(plan.body.get(k) is None for k in keys):
            return
        params = {k: contract.filter_value(plan.body[k]) for k in keys}
        try:
            placed = self._find(job, params, contract.MAX_PAGE_SIZE)
        except LexfulHTTPError as exc:
            if not rejectable(exc):
                raise
            # Ours is written: keep it rather than lose it (a twin stays a twin).
            self.deps.logger.warning(
                "%s %s: could not read it back (%s)", job.stream, job.source_id, exc.message
            )
            return
        ours = next((i for i in placed if i.get("id") == created["id"]), created)
        first = contract.first_created([ours, *(i for i in placed if i is not ours)])
        if first is None or first.get("id") == created["id"]:
            return
        self.deps.logger.info(
            "%s %s: created at the same moment by another run as %s: this run's copy %s "
            "deleted, that one kept",
            job.stream,
            job.source_id,
            first["id"],
            created["id"],
        )
        try:
            self.deps.client.request("DELETE", self.item_path(job, created["id"]))
        except LexfulHTTPError as exc:
            if exc.status != 404:
                raise
        plan.target_id = plan.result_id = first["id"]
        plan.changes = diff(plan.body, first)
        plan.action = UPDATE if plan.changes else UNCHANGED
        if plan.changes:
            self._update(plan)

    def _update(self, plan: Plan) -> None:
        assert plan.target_id is not None
        path = self.item_path(plan.job, plan.target_id)
        try:
            self.deps.client.send_json("PATCH", path, plan.changes or plan.body)
        except LexfulHTTPError as exc:
            if exc.status != 404:
                raise
            # Deleted in Lexful since we wrote it: the source still has it, so write it again.
            plan.action = CREATE
            self._create(plan)
            return
        plan.result_id = plan.target_id

    def _delete(self, plan: Plan) -> None:
        assert plan.target_id is not None
        try:
            self.deps.client.request("DELETE", self.item_path(plan.job, plan.target_id))
        except LexfulHTTPError as exc:
            if exc.status != 404:
                raise  # a 404: already gone, which is what was asked
        plan.result_id = plan.target_id

    def _find(self, job: Job, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        query = {**params, "limit": max(1, limit), **contract.sort_params()}
        return contract.list_items(self.deps.client.get_json(self.list_path(job), query))


def diff(body: dict[str, Any], existing: dict[str, Any]) -> dict[str, Any]:
    """The part of ``body`` that differs from the record as Lexful has it."""
    changes = {}
    for key, value in body.items():
        if key == "references":
            current = existing.get("references") or {}
            if any(_norm_ref(v) != _norm_ref(current.get(k)) for k, v in value.items()):
                changes[key] = value
        elif contract.is_masked(existing.get(key)):
            continue  # a secret reads back masked: it cannot be compared, only hashed
        elif json_safe(value) != json_safe(existing.get(key)):
            changes[key] = value
    return changes


def without_nulls(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without its None values (and those of its ``references``)."""
    out = {k: v for k, v in body.items() if v is not None}
    if isinstance(out.get("references"), dict):
        out["references"] = {k: v for k, v in out["references"].items() if v is not None}
    return out


def _norm_ref(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value
