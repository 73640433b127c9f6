"""The sandbox tests' raw HTTP wrapper (``Api``), its fixtures, and checks of error answers.

The sandboxes and the empty account are the root fixtures (``tests/conftest.py``).
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

import pytest
import requests

from lexful_sandbox import Sandbox
from tests.lexful.client import organization_body


class Api:
    """A logged-in requests session against one account; paths are relative to /v1."""

    def __init__(self, creds: dict[str, str]) -> None:
        self.url = creds["api_url"]
        self.account_id = creds["account_id"]
        self.session = requests.Session()
        answer = self.session.post(
            self.url + "/v1/auth/token",
            headers={"X-Account-ID": creds["account_id"]},
            json={"id": creds["api_key_id"], "secret": creds["api_key_secret"]},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["token"]
        self.session.headers.update(
            {"Authorization": f"Bearer {self.token}", "X-Account-ID": creds["account_id"]}
        )

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.url + "/v1" + path, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, json=body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("PUT", path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        answer = self.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            body = self.get(path, params={**params, "limit": 1000, "offset": offset}).json()
            out += body["items"]
            offset += 1000
            if offset >= body["total"]:
                return out


def assert_error(answer: requests.Response, status: int, text: str = "") -> dict[str, Any]:
    """The status and the documented error shape, exactly:
    ``{status, message, error_id, error_code, developer_message}``."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"status", "message", "error_id", "error_code", "developer_message"}
    assert body["status"] == status
    assert body["error_code"] == HTTPStatus(status).name
    assert str(uuid.UUID(body["error_id"])) == body["error_id"]
    assert body["message"]
    assert body["message"] in body["developer_message"]
    assert text.lower() in body["developer_message"].lower()
    return body


@pytest.fixture(scope="session")
def demo_api(demo_sandbox: Sandbox) -> Api:
    """A raw session on the demo sandbox's seeded account, for tests that only read it."""
    return Api(demo_sandbox.config)


@pytest.fixture
def api(empty_account: dict[str, str]) -> Api:
    """A raw session on a new empty account of the demo sandbox."""
    return Api(empty_account)


def make_org(api: Api, name: str = "Acme Corporation", **extra: Any) -> dict[str, Any]:
    answer = api.post("/organizations", organization_body(name, **extra))
    assert answer.status_code == 201, answer.text
    return answer.json()


def make_contact(api: Api, org_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "organization_id": org_id,
        "first_name": "Jane",
        "last_name": "Smith",
        "important": False,
    }
    answer = api.post("/assets/system.contact", {**body, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()
