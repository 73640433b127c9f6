"""Concurrent paging: order, bounded windows, field selection, and lists that change mid-sync."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from lexful_api import LexfulClient
from lexful_sandbox.resources import organizations as sandbox_organizations
from tests.lexful.client import create_organizations
from tests.lexful.tap.helpers import discover, populate, sync, tap_config


class Mutator:
    """A sandbox hook that changes the organizations list while the tap pages through it."""

    def __init__(self, sandbox: Any, account: dict[str, Any], *, changes: int) -> None:
        self.store = sandbox.store
        self.account_id = account["account_id"]
        self.user_id = self.store.account(self.account_id).user_id
        self.changes_left = changes
        self.queries: list[dict[str, str]] = []
        self.deleted: list[str] = []
        self.created: list[str] = []

    def __call__(self, method: str, path: str, query: dict[str, str]) -> None:
        if method != "GET" or path != "/v1/organizations":
            return
        self.queries.append(query)
        if int(query.get("offset", 0)) == 0 or self.changes_left <= 0:
            return
        self.changes_left -= 1
        self.delete_oldest()
        self.create_newest()

    def alive(self) -> list[dict[str, Any]]:
        rows = self.store.find("organizations", self.account_id, "deleted_at IS NULL")
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]))

    def delete_oldest(self) -> None:
        # Deleting before the page being read shifts every later record one offset down.
        oldest = self.alive()[len(self.deleted)]
        sandbox_organizations.delete(self.store, self.account_id, self.user_id, oldest["id"])
        self.deleted.append(oldest["id"])

    def create_newest(self) -> None:
        body = {"name": f"late {len(self.created)}", "type": "client", "status": "active"}
        doc = sandbox_organizations.create(self.store, self.account_id, self.user_id, [body])[0]
        self.created.append(doc["id"])


def test_mutations_between_pages_lose_nothing(
    demo_sandbox: Any, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    before = {o["id"] for o in create_organizations(client, 80)}
    mutator = Mutator(demo_sandbox, empty_account, changes=6)
    demo_sandbox.add_hook(mutator)
    output = sync(tap_config(empty_account, page_size=7, max_concurrency=4))
    mutator.changes_left = 0  # the sandbox keeps its hooks: make this one inert

    records = output.records("organizations")
    emitted = Counter(r["id"] for r in records if not r["_sdc_deleted_at"])
    assert max(emitted.values()) == 1, "a record was emitted twice"
    # The deletes pass after the walk tells of what was deleted during it, once each.
    deletes = Counter(r["id"] for r in records if r["_sdc_deleted_at"])
    assert set(deletes) <= set(mutator.deleted)
    assert max(deletes.values(), default=1) == 1
    survivors = before - set(mutator.deleted)
    assert survivors <= set(emitted), f"lost: {survivors - set(emitted)}"
    assert mutator.deleted, "the hook never ran"
    # The walker noticed and re-read from its last key instead of trusting shifted offsets.
    assert any("created_at[gte]" in q for q in mutator.queries)


def test_records_updated_mid_sync_are_not_lost(
    demo_sandbox: Any, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    organizations = create_organizations(client, 60)
    store, account_id = demo_sandbox.store, empty_account["account_id"]
    user_id = store.account(account_id).user_id
    touched: list[str] = []

    def touch(method: str, path: str, query: dict[str, str]) -> None:
        # An update moves the record to the end of an updated_at walk.
        if path == "/v1/organizations" and int(query.get("offset", 0)) > 0 and len(touched) < 5:
            target = organizations[len(touched)]["id"]
            sandbox_organizations.update(store, account_id, user_id, target, {"notes": "moved"})
            touched.append(target)

    demo_sandbox.add_hook(touch)
    output = sync(tap_config(empty_account, replication_key="updated_at", page_size=6))
    touched.extend([""] * 5)  # inert from now on
    emitted = [r["id"] for r in output.records("organizations")]
    assert {o["id"] for o in organizations} <= set(emitted)
    updated_at = [r["updated_at"] for r in output.records("organizations")]
    assert updated_at == sorted(updated_at)  # still emitted in order: a resumable bookmark


@pytest.mark.parametrize("concurrency", [1, 5])
def test_concurrent_pages_keep_order(empty_account: dict[str, Any], concurrency: int) -> None:
    populate(empty_account, organizations=40, assets=30)
    output = sync(tap_config(empty_account, page_size=4, max_concurrency=concurrency))
    organizations = output.records("organizations")
    keys = [(r["created_at"], r["id"]) for r in organizations]
    assert keys == sorted(keys)
    assert len(organizations) == 40
    assert len(output.records("system_location")) == 30
    assert len(output.records("related_assets")) == 20
    assert len(output.records("files")) == 10


def test_stream_order_follows_dependencies(empty_account: dict[str, Any]) -> None:
    populate(empty_account, organizations=3, assets=6)
    order = sync(tap_config(empty_account)).streams()
    expected = ["organization_types", "organizations", "asset_types"]
    assert order[:3] == expected
    assert order[-1] == "users"


def test_only_selected_fields_are_asked_for(
    demo_sandbox: Any, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    create_organizations(client, 5)
    queries: list[dict[str, str]] = []
    listening = [True]
    demo_sandbox.add_hook(
        lambda m, p, q: queries.append(q) if listening[0] and p == "/v1/organizations" else None
    )
    catalog = _catalog_selecting(empty_account, "organizations", {"id", "name", "created_at"})
    output = sync(tap_config(empty_account), catalog=catalog)
    listening[0] = False
    records = output.records("organizations")
    assert records
    assert all(set(r) <= {"id", "name", "created_at"} for r in records)
    walk = [q for q in queries if "include_deleted" not in q]  # not the deletes pass
    assert walk[0]["fields"] == "created_at,id,name"


def _catalog_selecting(config: dict[str, Any], stream: str, fields: set[str]) -> dict[str, Any]:
    catalog = discover(tap_config(config))
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            breadcrumb = item["breadcrumb"]
            if not breadcrumb:
                item["metadata"]["selected"] = entry["tap_stream_id"] == stream
            elif entry["tap_stream_id"] == stream:
                item["metadata"]["selected"] = breadcrumb[-1] in fields
    return catalog
