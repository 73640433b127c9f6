"""Users: the list, its partial-match filters, and the demo's users."""

from __future__ import annotations

from tests.sandbox.conftest import Api, assert_error


def test_new_account_has_one_admin(api: Api) -> None:
    users = api.get("/users").json()
    assert users["total"] == 1
    admin = users["items"][0]
    assert admin["role"] == "admin"
    assert admin["account_id"] == api.account_id
    assert set(admin) >= {
        "email",
        "first_name",
        "last_name",
        "account_scopes",
        "organization_scopes",
        "external_ids",
        "created_at",
        "deleted_at",
    }
    assert admin["organization_scopes"] == "*"
    org = api.post("/organizations", {"name": "O", "type": "client", "status": "active"}).json()
    assert org["created_by"] == admin["id"]


def test_user_filters(demo_api: Api) -> None:
    assert [u["last_name"] for u in demo_api.items("/users", first_name="sa")] == ["Rivera"]
    assert len(demo_api.items("/users", email="DEMO-msp")) == 3
    assert {u["role"] for u in demo_api.items("/users", role="support")} == {"support"}
    assert demo_api.items("/users", **{"first_name[eq]": "sa"}) == []
    assert (
        next(u["first_name"] for u in demo_api.items("/users", sort="first_name", order="DESC"))
        == "Sam"
    )
    deleted = demo_api.items("/users", include_deleted="true")
    assert len(deleted) == len(demo_api.items("/users")) + 1
    assert_error(demo_api.get("/users?limit=1001"), 400, "limit")
    assert_error(demo_api.get("/users?password=x"), 400, "password")
