"""Tokens, the account header, and account isolation."""

from __future__ import annotations

import time

import requests

from tests.sandbox.conftest import Api, assert_error, make_org


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


def test_token_shape(demo) -> None:
    body = _token(demo).json()
    assert set(body) == {"token", "token_type", "expires_in", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["expires_at"][-5] == "."
    assert body["expires_at"].endswith("Z")


def test_bad_key_pair_is_401(demo) -> None:
    assert_error(_token(demo, body={"id": demo.api_key_id, "secret": "wrong"}), 401)
    assert_error(_token(demo, body={"id": "nobody", "secret": demo.api_key_secret}), 401)


def test_token_request_without_account_header_is_403(demo) -> None:
    assert_error(_token(demo, headers={}), 403)


def test_token_request_for_another_account_is_403(demo) -> None:
    other = demo.new_account()
    assert_error(_token(demo, headers={"X-Account-ID": other["account_id"]}), 403)


def test_malformed_token_body_is_400(demo) -> None:
    assert_error(_token(demo, body={"id": demo.api_key_id}), 400)


def test_missing_malformed_and_forged_tokens_are_401(demo) -> None:
    assert_error(_get(demo, None, demo.account_id), 401)
    assert_error(_get(demo, "garbage", demo.account_id), 401)
    good = _token(demo).json()["token"]
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    assert_error(_get(demo, forged, demo.account_id), 401, "invalid")
    answer = requests.get(
        demo.api_url + "/v1/organizations",
        headers={"Authorization": f"Basic {good}", "X-Account-ID": demo.account_id},
        timeout=10,
    )
    assert_error(answer, 401)


def test_missing_or_foreign_account_header_is_403(demo) -> None:
    token = _token(demo).json()["token"]
    assert_error(_get(demo, token), 403, "missing")
    other = demo.new_account()
    assert_error(_get(demo, token, other["account_id"]), 403)


def test_header_names_are_case_insensitive(demo) -> None:
    token = _token(demo, headers={"x-account-id": demo.account_id}).json()["token"]
    answer = requests.get(
        demo.api_url + "/v1/organizations",
        headers={"authorization": f"bearer {token}", "X-ACCOUNT-ID": demo.account_id},
        timeout=10,
    )
    assert answer.status_code == 200


def test_token_expires(fresh) -> None:
    fresh.set_faults(token_ttl=1)
    body = _token(fresh).json()
    assert body["expires_in"] == 1
    assert _get(fresh, body["token"], fresh.account_id).status_code == 200
    time.sleep(1.1)
    assert_error(_get(fresh, body["token"], fresh.account_id), 401, "expired")
    fresh.set_faults(token_ttl=3600)
    renewed = _token(fresh).json()["token"]
    assert _get(fresh, renewed, fresh.account_id).status_code == 200


def test_accounts_are_isolated(demo) -> None:
    mine, theirs = Api(demo.new_account()), Api(demo.new_account())
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


def test_same_slug_in_two_accounts(demo) -> None:
    first, second = Api(demo.new_account()), Api(demo.new_account())
    assert make_org(first, "Same Name")["slug"] == make_org(second, "Same Name")["slug"]


def test_authentication_comes_before_query_checks(demo, demo_api: Api) -> None:
    """Every API route authenticates first (``http.deps.authenticated``): a bad token is 401
    even where the query string is bad too."""
    org = demo_api.items("/organizations", limit=1)[0]
    contact = demo_api.items("/assets/system.contact", limit=1)[0]
    for path in (
        f"/v1/organizations/{org['id']}?expand=bogus",
        f"/v1/assets/system.contact/{contact['id']}?expand=bogus",
        "/v1/organizations?bogus=1",
    ):
        headers = {"X-Account-ID": demo.account_id}
        answer = requests.get(demo.api_url + path, headers=headers, timeout=10)
        assert_error(answer, 401, "missing bearer token")
