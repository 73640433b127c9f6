"""Each Lexful sandbox variant answers as it says (``lexful-sandbox variants``), and only it."""

from __future__ import annotations

import time

import requests

from lexful_sandbox import running_sandbox
from tests.lexful.sandbox.conftest import Api

ORG = {"name": "Acme", "type": "client", "status": "active"}


def test_single_sort_refuses_two_keys_and_takes_one() -> None:
    with running_sandbox(seed="demo", variants=["single-sort"]) as sb:
        api = Api(sb.config)
        two = api.get("/organizations", params={"sort": "created_at,id", "order": "ASC,ASC"})
        assert two.status_code == 400
        assert api.get("/organizations", params={"sort": "id", "order": "ASC"}).ok


def test_page_caps() -> None:
    with running_sandbox(seed="demo", seed_scale=120, variants=["page-cap-400"]) as sb:
        api = Api(sb.config)
        assert api.get("/assets/system.contact", params={"limit": 101}).status_code == 400
        assert len(api.get("/assets/system.contact", params={"limit": 100}).json()["items"]) == 100
    with running_sandbox(seed="demo", seed_scale=120, variants=["page-cap-silent"]) as sb:
        body = Api(sb.config).get("/assets/system.contact", params={"limit": 500}).json()
        assert len(body["items"]) == 100
        assert body["total"] > 100


def test_fields_ignored_gives_whole_records() -> None:
    with running_sandbox(seed="demo", variants=["fields-ignored"]) as sb:
        item = Api(sb.config).get("/organizations", params={"fields": "id"}).json()["items"][0]
        assert {"id", "name", "created_at"} <= set(item)


def test_fastify_error_shape() -> None:
    with running_sandbox(variants=["fastify-errors"]) as sb:
        answer = Api(sb.config).get("/organizations/nope")
        assert answer.status_code == 404
        assert set(answer.json()) == {"statusCode", "error", "message"}
        assert answer.json()["statusCode"] == 404
        unauthenticated = requests.get(sb.api_url + "/v1/users", timeout=10)
        assert set(unauthenticated.json()) == {"statusCode", "error", "message"}


def test_oauth_token_answer() -> None:
    with running_sandbox(variants=["oauth-token"]) as sb:
        answer = requests.post(
            sb.api_url + "/v1/auth/token",
            headers={"X-Account-ID": sb.account_id},
            json={"id": sb.api_key_id, "secret": sb.api_key_secret},
            timeout=10,
        )
        assert set(answer.json()) == {"access_token", "expires_in"}


def test_entities_paths_only() -> None:
    with running_sandbox(seed="demo", variants=["entities-paths"]) as sb:
        api = Api(sb.config)
        assert api.get("/asset_types").status_code == 404
        assert api.get("/assets/system.contact").status_code == 404
        types = api.get("/entity_types").json()["items"]
        assert "system.contact" in {t["name"] for t in types}
        contacts = api.get("/entities/system.contact").json()["items"]
        one = api.get(f"/entities/system.contact/{contacts[0]['id']}")
        assert one.json()["id"] == contacts[0]["id"]
        assert api.get(f"/entities/system.contact/{contacts[0]['id']}/related").ok
        assert api.get("/entities/counts").ok


def test_delete_200_answers_the_record() -> None:
    with running_sandbox(variants=["delete-200"]) as sb:
        api = Api(sb.config)
        org = api.post("/organizations", ORG).json()
        gone = api.request("DELETE", f"/organizations/{org['id']}")
        assert gone.status_code == 200
        assert gone.json()["deleted_at"]
    with running_sandbox() as sb:
        api = Api(sb.config)
        org = api.post("/organizations", ORG).json()
        assert api.request("DELETE", f"/organizations/{org['id']}").status_code == 204


def test_bulk_bare_array() -> None:
    with running_sandbox(variants=["bulk-bare-array"]) as sb:
        created = Api(sb.config).post("/organizations", [ORG, {**ORG, "name": "Beta"}])
        assert created.status_code == 201
        assert [o["name"] for o in created.json()] == ["Acme", "Beta"]


def test_expired_token_gets_403() -> None:
    with running_sandbox(variants=["expired-403"], token_ttl=1) as sb:
        api = Api(sb.config)
        time.sleep(1.2)
        answer = api.get("/organizations")
        assert answer.status_code == 403
        assert "expired" in answer.text
        bogus = {"Authorization": "Bearer nope", "X-Account-ID": sb.account_id}
        assert requests.get(sb.api_url + "/v1/users", headers=bogus, timeout=10).status_code == 403
    with running_sandbox(token_ttl=1) as sb:
        api = Api(sb.config)
        time.sleep(1.2)
        assert api.get("/organizations").status_code == 401
