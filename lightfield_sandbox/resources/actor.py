"""Who writes: the store, the workspace and the member an API key acts as."""

from __future__ import annotations

from dataclasses import dataclass

from lightfield_sandbox.storage.store import Store


@dataclass(frozen=True)
class Actor:
    """An authenticated caller as the resources see it (``http.deps`` makes it from a key)."""

    store: Store
    workspace_id: str
    member_id: str

    def now(self) -> str:
        from sandbox_core.clock import iso_ms  # noqa: PLC0415 - tiny, keep local

        return iso_ms(self.store.clock.now_ms())
