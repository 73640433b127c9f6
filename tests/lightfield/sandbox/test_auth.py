"""Static bearer keys, the Lightfield-Version header, scopes, and the error shape."""

from __future__ import annotations

import requests

from tests.lightfield.sandbox.conftest import Api, assert_error


def test_validate_answers_the_key_access(demo: Api) -> None:
    body = demo.ok(demo.get("/auth/validate"))
    assert body == {"active": True, "scopes": [], "subjectType": "user", "tokenType": "api_key"}
    assert demo.key.startswith("sk_lf_")


def test_missing_and_wrong_keys_are_401(demo: Api) -> None:
    bare = requests.get(demo.url + "/v1/accounts", timeout=10)
    assert_error(bare, 401)
    wrong = requests.get(
        demo.url + "/v1/accounts", headers={"Authorization": "Bearer sk_lf_nope"}, timeout=10
    )
    assert_error(wrong, 401)
    basic = requests.get(
        demo.url + "/v1/auth/validate", headers={"Authorization": f"Basic {demo.key}"}, timeout=10
    )
    assert_error(basic, 401)


def test_version_header_required_and_checked(demo: Api) -> None:
    """A request without ``Lightfield-Version``: 400 ``version_header`` (documented)."""
    plain = requests.get(
        demo.url + "/v1/auth/validate", headers={"Authorization": f"Bearer {demo.key}"}, timeout=10
    )
    assert_error(plain, 400, "version_header", "Lightfield-Version")
    odd = demo.get("/auth/validate", headers={"Lightfield-Version": "1999-01-01"})
    assert_error(odd, 400, "version_header", "Lightfield-Version")


def test_a_key_without_the_scope_is_403(lf_sandbox) -> None:
    key = lf_sandbox.new_key(("accounts:read",))
    limited = Api({"api_url": lf_sandbox.api_url, "api_key": key})
    assert limited.ok(limited.get("/auth/validate"))["scopes"] == ["accounts:read"]
    assert limited.get("/accounts").status_code == 200
    assert_error(limited.get("/contacts"), 403)
    assert_error(limited.post("/accounts", {"fields": {"$name": "X"}}), 403)


def test_unknown_route_and_method_use_the_error_shape(demo: Api) -> None:
    assert_error(demo.get("/nothing"), 404)
    assert_error(demo.request("PUT", "/accounts"), 405)


def test_workspaces_are_isolated(demo: Api, api: Api) -> None:
    seeded = demo.ids("/accounts")
    assert seeded
    assert api.ids("/accounts") == []
    assert_error(api.get(f"/accounts/{seeded[0]}"), 404)
