"""Members: never created (read only [D]), matched by ``$email`` in the workspace, through
``member_map`` (source email -> destination email) when set.

A source member the workspace lacks is not a reject: it goes in the id map as ``UNKNOWN``,
and each relationship to it is left out of the write and counted (``unknown_members: omit``)
or rejects the record that has it (``reject``). Either way the records that refer to that
record are not touched: no cascade.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from lightfield_api import adapt, contract
from lightfield_api.errors import LightfieldConnectionError
from lightfield_api.http import list_page
from target_lightfield.engine.model import UNCHANGED, Outcome

if TYPE_CHECKING:
    from lightfield_api.http import LightfieldClient
    from target_lightfield.engine.model import Job

#: The id map's target id of a source member the workspace lacks.
UNKNOWN = "(member not in the workspace)"
_DIGEST = "member"


class MemberDirectory:
    """The workspace's members by email (read once), and ``member_map``."""

    def __init__(self, client: LightfieldClient, member_map: dict[str, str]) -> None:
        self._client = client
        self._map = member_map
        self._by_email: dict[str, str] | None = None
        self._lock = threading.Lock()

    def destination_email(self, email: str) -> str:
        """Where a source address goes: ``member_map``'s choice, else the same address."""
        return self._map.get(email.lower(), email)

    def write(self, job: Job) -> Outcome:
        """A member record: the workspace's member of that email, or ``UNKNOWN``."""
        email = str((job.record.get("fields") or {}).get("$email") or "").lower()
        found = self.by_email().get(self.destination_email(email).lower()) if email else None
        return Outcome(UNCHANGED, found or UNKNOWN, _DIGEST)

    def unknown_targets(self) -> list[tuple[str, str]]:
        """The ``member_map`` entries (source, destination) whose destination email is not a
        member of the workspace: each relationship through them is an unknown member."""
        members = self.by_email()
        return sorted((k, v) for k, v in self._map.items() if v.lower() not in members)

    def by_email(self) -> dict[str, str]:
        with self._lock:
            if self._by_email is None:
                self._by_email = self._read()
            return self._by_email

    def _read(self) -> dict[str, str]:
        members: dict[str, str] = {}
        offset = 0
        for _page in range(self._client.max_pages):  # a peer's list may never end
            params = {"limit": contract.MAX_PAGE_SIZE, "offset": offset}
            items, total = list_page(
                self._client.get_json(contract.collection_path(contract.MEMBERS), params)
            )
            for item in items:
                email = (item["fields"].get("$email") or {}).get("value")
                if email:
                    members[str(email).lower()] = str(item["id"])
            # A smaller page than asked is followed while the total says more.
            if not adapt.more_after(len(items), contract.MAX_PAGE_SIZE, offset, total):
                return members
            offset += len(items)
        msg = f"members: more than {self._client.max_pages} pages (max_pages); the list never ends"
        raise LightfieldConnectionError(msg)
