"""The documented error body on every kind of error answer the sandbox gives.

Each route's own errors are checked where the route is tested (``assert_error`` checks the
exact shape); here the answers that no route gives: an unknown path, a hook's answer, and
that every answer has an ``error_id`` of its own.
"""

from __future__ import annotations

from lexful_sandbox.common.errors import error_body
from sandbox_core.faults import HookAnswer
from tests.lexful.sandbox.conftest import Api, assert_error


def test_an_unknown_path_is_404_in_the_documented_shape(demo_api: Api) -> None:
    body = assert_error(demo_api.get("/no_such_resource"), 404, "not found")
    assert body["error_code"] == "NOT_FOUND"


def test_every_error_answer_has_its_own_error_id(demo_api: Api) -> None:
    ids = {assert_error(demo_api.get("/organizations/nope"), 404)["error_id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_hook_answer_is_in_the_documented_shape(own_sandbox) -> None:
    def refuse(method: str, path: str, query: dict[str, str]) -> None:
        if path == "/v1/users":
            raise HookAnswer(418, "teapot")

    own_sandbox.add_hook(refuse)
    body = assert_error(Api(own_sandbox.config).get("/users"), 418, "teapot")
    assert body["error_code"] == "IM_A_TEAPOT"


def test_a_validation_error_names_the_field_for_developers(demo_api: Api) -> None:
    error = assert_error(demo_api.get("/users", params={"limit": "x"}), 400, "limit")
    assert error["error_code"] == "BAD_REQUEST"
    assert error["developer_message"] == error["message"]  # it names the field already
    # A message that does not name its field gets it for developers (the body's own rule).
    body = error_body(400, "must be one of a, b", "role")
    assert body["developer_message"] == "must be one of a, b (field: role)"
