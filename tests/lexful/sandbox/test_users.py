"""Users: the list, its partial-match filters, and the demo's users."""

from __future__ import annotations

import pytest

from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


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


# --- writes: POST, PATCH, DELETE with transfer_ownership_to -----------------------------------

USER = {"email": "pat@example.com", "role": "support", "organization_scopes": "*"}


def test_create_a_user(api: Api) -> None:
    org = make_org(api)
    body = {**USER, "first_name": "Pat", "organization_scopes": [org["id"]]}
    answer = api.post("/users", body)
    assert answer.status_code == 201, answer.text
    user = answer.json()
    assert user["email"] == "pat@example.com"
    assert user["organization_scopes"] == [org["id"]]
    assert user["account_scopes"] == [api.account_id]
    assert user["last_name"] is None
    assert user["deleted_at"] is None
    assert api.get(f"/users/{user['id']}").json() == user
    assert len(api.items("/users")) == 2


@pytest.mark.parametrize("missing", ["email", "role", "organization_scopes"])
def test_create_requires_email_role_and_scopes(api: Api, missing: str) -> None:
    body = {k: v for k, v in USER.items() if k != missing}
    assert_error(api.post("/users", body), 400, missing)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"role": "owner"}, "role"),
        ({"organization_scopes": "all"}, "organization_scopes"),
        ({"organization_scopes": ["018bd87e-d47d-7001-a9b3-b30678e51061"]}, "organization_scopes"),
        ({"account_scopes": [1]}, "account_scopes"),
        ({"first_name": 5}, "first_name"),
        ({"id": "x"}, "id"),
        ({"password": "x"}, "password"),
    ],
)
def test_create_validates_each_field(api: Api, change: dict, field: str) -> None:
    assert_error(api.post("/users", {**USER, **change}), 400, field)


def test_a_duplicate_email_is_409(api: Api) -> None:
    assert api.post("/users", USER).status_code == 201
    assert_error(api.post("/users", {**USER, "email": "PAT@example.com"}), 409, "email")


def test_update_a_user(api: Api) -> None:
    user = api.post("/users", USER).json()
    changed = api.patch(f"/users/{user['id']}", {"role": "organization_viewer", "last_name": "Q"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "organization_viewer"
    assert changed.json()["last_name"] == "Q"
    assert changed.json()["updated_at"] > user["updated_at"]
    same = api.patch(f"/users/{user['id']}", {"role": "organization_viewer"}).json()
    assert same["updated_at"] == changed.json()["updated_at"]
    assert_error(api.patch(f"/users/{user['id']}", {"role": None}), 400, "role")
    assert_error(api.patch(f"/users/{user['id']}", {"colour": "red"}), 400, "colour")
    assert_error(api.patch("/users/nope", {"role": "admin"}), 404, "user nope")
    admin = next(u for u in api.items("/users") if u["id"] != user["id"])
    assert_error(api.patch(f"/users/{user['id']}", {"email": admin["email"]}), 409, "email")


def test_delete_a_user(api: Api) -> None:
    user = api.post("/users", USER).json()
    assert api.delete(f"/users/{user['id']}").status_code == 204
    assert user["id"] not in {u["id"] for u in api.items("/users")}
    gone = api.get(f"/users/{user['id']}", params={"include_deleted": "true"}).json()
    assert gone["deleted_at"] is not None
    assert_error(api.delete(f"/users/{user['id']}"), 404, "not found")
    assert api.post("/users", USER).status_code == 201  # the email is free again


def test_deleting_an_owner_needs_transfer_ownership_to(api: Api) -> None:
    org = make_org(api)
    owner = api.post("/users", USER).json()
    heir = api.post("/users", {**USER, "email": "heir@example.com"}).json()
    contact = make_contact(api, org["id"], owned_by=owner["id"])
    assert_error(api.delete(f"/users/{owner['id']}"), 400, "transfer_ownership_to")
    for bad in ("nope", owner["id"], 5):
        body = {"transfer_ownership_to": bad}
        assert_error(api.delete(f"/users/{owner['id']}", json=body), 400, "transfer_ownership_to")
    answer = api.delete(f"/users/{owner['id']}", json={"transfer_ownership_to": heir["id"]})
    assert answer.status_code == 204, answer.text
    moved = api.get(f"/assets/system.contact/{contact['id']}").json()
    assert moved["owned_by"] == heir["id"]
