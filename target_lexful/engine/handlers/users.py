"""Users: the API cannot create them, so every user record is rejected, saying why."""

from __future__ import annotations

from connector_core.target.errors import RecordError
from target_lexful.engine.handlers.base import Handler
from target_lexful.engine.model import USERS, Job, Plan


class UserHandler(Handler):
    """Users: the API cannot create them, so every user record is rejected with the reason."""

    kind = USERS

    def plan(self, job: Job) -> Plan:
        msg = "users cannot be created through the Lexful API: invite them in Lexful"
        raise RecordError(msg)
