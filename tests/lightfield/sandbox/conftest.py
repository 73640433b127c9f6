"""The Lightfield sandbox tests' raw HTTP wrapper (``Api``), fixtures and error checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lightfield_api import contract
from lightfield_sandbox import Sandbox, running_sandbox


class Api:
    """A session with a workspace's key and the version header; paths are relative to /v1."""

    def __init__(self, creds: dict[str, str]) -> None:
        self.url = creds["api_url"]
        self.key = creds["api_key"]
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.key}", contract.VERSION_HEADER: contract.API_VERSION}
        )

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.url + "/v1" + path, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def ok(self, answer: requests.Response, status: int = 200) -> dict[str, Any]:
        assert answer.status_code == status, answer.text
        return answer.json()

    def create(self, path: str, body: Any, **kw: Any) -> dict[str, Any]:
        return self.ok(self.post(path, body, **kw), 200)

    def ids(self, path: str, **params: Any) -> list[str]:
        return [d["id"] for d in self.ok(self.get(path, params=params))["data"]]


def assert_error(
    answer: requests.Response, status: int, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """The status and the exact error shape: {"error": {type, message, code?, param?}}."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"type", "message", "code", "param"}
    assert error["type"] == contract.error_type(status)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error.get("code") == code
    assert error.get("param") == param
    return error


def value(record: dict[str, Any], key: str) -> Any:
    return record["fields"][key]["value"]


@pytest.fixture(scope="session")
def lf_sandbox() -> Iterator[Sandbox]:
    """The demo-seeded Lightfield sandbox of the session; its first workspace is only read."""
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def demo(lf_sandbox: Sandbox) -> Api:
    return Api(lf_sandbox.config)


@pytest.fixture
def api(lf_sandbox: Sandbox) -> Api:
    """A new, empty workspace of the session's sandbox (one admin member, the custom type)."""
    return Api(lf_sandbox.new_account())


@pytest.fixture
def own() -> Iterator[Sandbox]:
    """A Lightfield sandbox of the test's own, for faults, lag and the clock."""
    with running_sandbox(seed="none") as sandbox:
        yield sandbox


def me(api: Api) -> str:
    """The member the workspace's key acts as (the only member of a new workspace)."""
    return api.ids("/members")[0]


def account(api: Api, name: str = "Acme", **fields: Any) -> dict[str, Any]:
    return api.create("/accounts", {"fields": {"$name": name, **fields}})
