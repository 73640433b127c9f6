"""Organization types: created when the account lacks one by that name, never changed."""

from __future__ import annotations

from connector_core.target import RecordError, stable_hash
from lexful_api import contract
from target_lexful.engine.handlers.base import Handler
from target_lexful.engine.model import CREATE, ORGANIZATION_TYPES, UNCHANGED, Job, Plan


class OrganizationTypeHandler(Handler):
    """Organization types: matched by name, created when the target account lacks one."""

    kind = ORGANIZATION_TYPES

    def plan(self, job: Job) -> Plan:
        name = job.record.get("name")
        if not name:
            msg = "organization type has no name"
            raise RecordError(msg)
        body = {"name": name}
        if job.record.get("description") is not None:
            body["description"] = job.record["description"]
        existing = self.deps.destination.organization_types().get(name)
        if existing is not None:
            return Plan(job, UNCHANGED, body, stable_hash(body), existing["id"])
        if self.deps.dry_run:
            self.deps.destination.plan_organization_type(body)  # the organizations that follow
        return Plan(job, CREATE, body, stable_hash(body))

    def execute_one(self, plan: Plan) -> None:
        self.intend(plan)
        created = self.deps.client.send_json("POST", contract.organization_types_path(), plan.body)
        plan.result_id = created["id"]
        self.deps.destination.forget()  # the organizations that follow may name it
