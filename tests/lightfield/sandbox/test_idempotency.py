"""``Idempotency-Key`` on creates and updates: the same key replays the answer, once."""

from __future__ import annotations

from tests.lightfield.sandbox.conftest import Api, account, assert_error


def test_same_key_same_answer_one_record(api: Api) -> None:
    body = {"fields": {"$name": "Once"}}
    first = api.post("/accounts", body, headers={"Idempotency-Key": "k-1"})
    second = api.post("/accounts", body, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.ok(api.get("/accounts"))["totalCount"] == 1


def test_key_on_updates_and_per_operation(api: Api) -> None:
    record = account(api, "A")
    path = f"/accounts/{record['id']}"
    one = api.ok(api.post(path, {"fields": {"$name": "B"}}, headers={"Idempotency-Key": "u"}))
    api.ok(api.post(path, {"fields": {"$name": "C"}}))
    replay = api.ok(api.post(path, {"fields": {"$name": "B"}}, headers={"Idempotency-Key": "u"}))
    assert replay == one  # the first answer, though the record moved on
    assert api.ok(api.get(path))["fields"]["$name"]["value"] == "C"
    other_op = api.post("/accounts", {"fields": {"$name": "D"}}, headers={"Idempotency-Key": "u"})
    assert other_op.status_code == 200  # keys are scoped per operation type


def test_same_key_other_request_and_bad_keys(api: Api) -> None:
    """A key reused with another body "returns original cached response" (not an error)."""
    first = api.create("/accounts", {"fields": {"$name": "X"}}, headers={"Idempotency-Key": "k"})
    reused = api.post("/accounts", {"fields": {"$name": "Y"}}, headers={"Idempotency-Key": "k"})
    assert api.ok(reused) == first
    assert reused.headers["Idempotent-Replayed"] == "true"
    long_key = api.post(
        "/accounts", {"fields": {"$name": "Y"}}, headers={"Idempotency-Key": "k" * 256}
    )
    assert_error(long_key, 400, "invalid_value", "Idempotency-Key")
    assert api.ok(api.get("/accounts"))["totalCount"] == 1


def test_a_failed_request_is_not_remembered(api: Api) -> None:
    failed = api.post("/accounts", {"fields": {}}, headers={"Idempotency-Key": "f"})
    assert_error(failed, 422, "required", "fields.$name")
    retried = api.post("/accounts", {"fields": {}}, headers={"Idempotency-Key": "f"})
    assert_error(retried, 422, "required", "fields.$name")  # ran again, not replayed
    good = api.post("/accounts", {"fields": {"$name": "ok"}}, headers={"Idempotency-Key": "g"})
    assert good.status_code == 200


def test_keys_are_per_workspace(api: Api, lf_sandbox) -> None:
    other = Api(lf_sandbox.new_account())
    api.create("/accounts", {"fields": {"$name": "Mine"}}, headers={"Idempotency-Key": "w"})
    theirs = other.create(
        "/accounts", {"fields": {"$name": "Mine"}}, headers={"Idempotency-Key": "w"}
    )
    assert other.ids("/accounts") == [theirs["id"]]
