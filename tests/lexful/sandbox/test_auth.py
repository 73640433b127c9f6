"""Tokens, the account header, and account isolation."""

from __future__ import annotations

import time

import requests

from tests.lexful.sandbox.conftest import Api, assert_error, make_org


def _token(sb, headers=None, body=None) -> requests.Response:
    return requests.post(
        sb.api_url + "/v1/auth/token",
        headers=headers if headers is not None else {"X-Account-ID": sb.account_id},
        json=body if body is not None else {"id": sb.api_key_id, "secret": sb.api_key_secret},
        timeout=10,
    )


def _get(sb, token: str | None, account: str | None = None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if account is not None:
        headers["X-Account-ID"] = account
    return requests.get(sb.api_url + "/v1/organizations", headers=headers, timeout=10)


def test_token_shape(demo_sandbox) -> None:
    body = _token(demo_sandbox).json()
    assert set(body) == {"token", "token_type", "expires_in", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["expires_at"][-5] == "."
    assert body["expires_at"].endswith("Z")


def test_bad_key_pair_is_401(demo_sandbox) -> None:
    assert_error(_token(demo_sandbox, body={"id": demo_sandbox.api_key_id, "secret": "wrong"}), 401)
    assert_error(
        _token(demo_sandbox, body={"id": "nobody", "secret": demo_sandbox.api_key_secret}), 401
    )


def test_token_request_without_account_header_is_403(demo_sandbox) -> None:
    assert_error(_token(demo_sandbox, headers={}), 403)


def test_token_request_for_another_account_is_403(demo_sandbox) -> None:
    other = demo_sandbox.new_account()
    assert_error(_token(demo_sandbox, headers={"X-Account-ID": other["account_id"]}), 403)


def test_malformed_token_body_is_400(demo_sandbox) -> None:
    assert_error(_token(demo_sandbox, body={"id": demo_sandbox.api_key_id}), 400)


def test_missing_malformed_and_forged_tokens_are_401(demo_sandbox) -> None:
    assert_error(_get(demo_sandbox, None, demo_sandbox.account_id), 401)
    assert_error(_get(demo_sandbox, "garbage", demo_sandbox.account_id), 401)
    good = _token(demo_sandbox).json()["token"]
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    assert_error(_get(demo_sandbox, forged, demo_sandbox.account_id), 401, "invalid")
    answer = requests.get(
        demo_sandbox.api_url + "/v1/organizations",
        headers={"Authorization": f"Basic {good}", "X-Account-ID": demo_sandbox.account_id},
        timeout=10,
    )
    assert_error(answer, 401)


def test_missing_or_foreign_account_header_is_403(demo_sandbox) -> None:
    token = _token(demo_sandbox).json()["token"]
    assert_error(_get(demo_sandbox, token), 403, "missing")
    other = demo_sandbox.new_account()
    assert_error(_get(demo_sandbox, token, other["account_id"]), 403)


def test_header_names_are_case_insensitive(demo_sandbox) -> None:
    token = _token(demo_sandbox, headers={"x-account-id": demo_sandbox.account_id}).json()["token"]
    answer = requests.get(
        demo_sandbox.api_url + "/v1/organizations",
        headers={"authorization": f"bearer {token}", "X-ACCOUNT-ID": demo_sandbox.account_id},
        timeout=10,
    )
    assert answer.status_code == 200


def test_token_expires(own_sandbox) -> None:
    own_sandbox.set_faults(token_ttl=1)
    body = _token(own_sandbox).json()
    assert body["expires_in"] == 1
    assert _get(own_sandbox, body["token"], own_sandbox.account_id).status_code == 200
    time.sleep(1.1)
    assert_error(_get(own_sandbox, body["token"], own_sandbox.account_id), 401, "expired")
    own_sandbox.set_faults(token_ttl=3600)
    renewed = _token(own_sandbox).json()["token"]
    assert _get(own_sandbox, renewed, own_sandbox.account_id).status_code == 200


def test_accounts_are_isolated(demo_sandbox) -> None:
    mine, theirs = Api(demo_sandbox.new_account()), Api(demo_sandbox.new_account())
    org = make_org(mine, "Private Org")
    contact = mine.post(
        "/assets/system.contact", {"organization_id": org["id"], "important": True}
    ).json()
    assert theirs.get(f"/organizations/{org['id']}").status_code == 404
    assert theirs.get(f"/assets/system.contact/{contact['id']}").status_code == 404
    assert theirs.get("/organizations").json()["total"] == 0
    assert theirs.get("/assets/system.contact").json()["total"] == 0
    assert theirs.patch(f"/organizations/{org['id']}", {"name": "x"}).status_code == 404
    assert theirs.delete(f"/organizations/{org['id']}").status_code == 404
    # Creating in another account's organization is refused as if it did not exist.
    answer = theirs.post(
        "/assets/system.contact", {"organization_id": org["id"], "important": True}
    )
    assert_error(answer, 400, "organization_id")
    # One account's token never reads another's data, whatever header it sends.
    crossed = requests.get(
        mine.url + "/v1/organizations",
        headers={"Authorization": f"Bearer {theirs.token}", "X-Account-ID": mine.account_id},
        timeout=10,
    )
    assert_error(crossed, 403)
    assert mine.get(f"/organizations/{org['id']}").status_code == 200


def test_same_slug_in_two_accounts(demo_sandbox) -> None:
    first, second = Api(demo_sandbox.new_account()), Api(demo_sandbox.new_account())
    assert make_org(first, "Same Name")["slug"] == make_org(second, "Same Name")["slug"]


def test_authentication_comes_before_query_checks(demo_sandbox, demo_api: Api) -> None:
    """Every API route authenticates first (``http.deps.authenticated``): a bad token is 401
    even where the query string is bad too."""
    org = demo_api.items("/organizations", limit=1)[0]
    contact = demo_api.items("/assets/system.contact", limit=1)[0]
    for path in (
        f"/v1/organizations/{org['id']}?expand=bogus",
        f"/v1/assets/system.contact/{contact['id']}?expand=bogus",
        "/v1/organizations?bogus=1",
    ):
        headers = {"X-Account-ID": demo_sandbox.account_id}
        answer = requests.get(demo_sandbox.api_url + path, headers=headers, timeout=10)
        assert_error(answer, 401, "missing bearer token")
