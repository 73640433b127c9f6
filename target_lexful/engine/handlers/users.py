"""Users: matched by email; updated where they differ; created and deleted only when allowed.

Creating a user in a real account may invite a real person, so a user the destination lacks
is created only with ``create_users``; without it the record is rejected, naming the setting.
A user record with ``_sdc_deleted_at`` deletes its copy only with ``create_users`` too, its
assets going to the user that ``transfer_ownership_to`` names (an email of the destination);
one the destination lacks is skipped (never copied: nothing to delete).
"""

from __future__ import annotations

from typing import Any

from connector_core.target import DELETED_HASH, RecordError
from lexful_api import LexfulHTTPError, contract
from target_lexful.engine.handlers.base import NEVER_COPIED, is_deleted
from target_lexful.engine.handlers.matched_records import MatchedRecordHandler
from target_lexful.engine.model import CREATE, DELETE, ORGANIZATIONS, SKIP, USERS, Job, Plan, Ref

NOT_ALLOWED = (
    "user {email} is not in the destination account; set create_users: true to create it "
    "(creating a user may invite a real person)"
)
_NAMES = ("first_name", "last_name", "role")


class UserHandler(MatchedRecordHandler):
    """Users: the email is the key; names, role and scopes are what is written."""

    kind = USERS

    def refs(self, job: Job) -> list[Ref]:
        listed, every = contract.scope_ids(job.record.get("organization_scopes"))
        if is_deleted(job.record) or job.record.get("all_organizations") or every:
            return []
        return [Ref("organization_scopes", org, (ORGANIZATIONS,)) for org in listed or []]

    def list_path(self, job: Job) -> str:
        return contract.users_path()

    def item_path(self, job: Job, target_id: str) -> str:
        return contract.users_path(target_id)

    def natural_filter(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        return {"email[eq]": body["email"]}

    def prefetch(self, jobs: list[Job]) -> None:
        """Users are matched by email, never by id: no read ahead."""

    def match(self, job: Job, body: dict[str, Any]) -> dict[str, Any] | None:
        """The destination's user with this email (case aside), scopes put in order."""
        email = str(body["email"])
        found = self._find(job, {"email[eq]": email}, 2)
        if not found:  # the API may compare emails exactly: look wider, compare here
            found = self._find(job, {"email": email}, 100)
        same = [u for u in found if str(u.get("email", "")).lower() == email.lower()]
        if not same:
            return None
        user = dict(same[0])
        scopes = user.get("organization_scopes")
        if isinstance(scopes, list):
            user["organization_scopes"] = sorted(str(s) for s in scopes)
        return user

    def plan(self, job: Job) -> Plan:
        email = job.record.get("email")
        if not isinstance(email, str) or not email:
            msg = "a user record needs an email: users are matched by email"
            raise RecordError(msg)
        if is_deleted(job.record):
            return self._plan_delete(job, email)
        body = self._body(job, email)
        plan = self.plan_upsert(job, body, None)
        if plan.action == CREATE and not self.deps.create_users:
            raise RecordError(NOT_ALLOWED.format(email=email))
        return plan

    def _body(self, job: Job, email: str) -> dict[str, Any]:
        record = job.record
        body: dict[str, Any] = {"email": email}
        for key in _NAMES:
            if record.get(key) is not None:
                body[key] = record[key]
        listed, every = contract.scope_ids(record.get("organization_scopes"))
        if record.get("all_organizations") or every:
            body["organization_scopes"] = contract.SCOPE_ALL
        elif listed is not None:
            ids = []
            for org in listed:
                target = job.destination_of("organization_scopes", org)
                assert target is not None  # the engine resolved it before planning
                ids.append(target.id)
            body["organization_scopes"] = sorted(ids)
        if record.get("all_accounts") or record.get("account_scopes") == contract.SCOPE_ALL:
            # A list of account ids names the source's accounts: only "*" means the same here.
            body["account_scopes"] = contract.SCOPE_ALL
        return body

    def _plan_delete(self, job: Job, email: str) -> Plan:
        if not self.deps.create_users:
            msg = (
                f"user {email} is deleted in the source; set create_users: true to delete "
                "its copy (and transfer_ownership_to for what it owns)"
            )
            raise RecordError(msg)
        entry = self.entry(job)
        if entry is not None and entry.target_id:
            return self.plan_delete(job, None)
        existing = self.match(job, {"email": email})
        if existing is None:  # never copied, or gone already: nothing to delete
            return Plan(job, SKIP, {}, DELETED_HASH, extra=NEVER_COPIED)
        return Plan(job, DELETE, {}, "", existing["id"])

    def execute_one(self, plan: Plan) -> None:
        if plan.action != DELETE:
            super().execute_one(plan)
            return
        assert plan.target_id is not None
        heir = self._heir()
        body = {"transfer_ownership_to": heir} if heir and heir != plan.target_id else None
        try:
            self.deps.client.request("DELETE", self.item_path(plan.job, plan.target_id), json=body)
        except LexfulHTTPError as exc:
            if exc.status == 404:
                plan.result_id = plan.target_id  # already gone, which is what was asked
                return
            if exc.status == 400 and "transfer_ownership_to" in exc.message and not heir:
                msg = f"{exc.message}; set transfer_ownership_to (a destination user's email)"
                raise RecordError(msg, exc.status) from None
            raise
        plan.result_id = plan.target_id

    def _heir(self) -> str | None:
        """The id of the user that ``transfer_ownership_to`` names by email, if set."""
        email = self.deps.transfer_ownership_to
        if not email:
            return None
        query = {"email[eq]": email, "limit": 2}
        found = contract.list_items(self.deps.client.get_json(contract.users_path(), query))
        if not found:
            msg = f"transfer_ownership_to: no user {email} in the destination account"
            raise RecordError(msg)
        return str(found[0]["id"])
