"""What the API refuses (the official client's docstrings and OpenAPI description), sent as
raw requests: each answers the documented status, with the contract's error code."""

from __future__ import annotations

from typing import Any

import requests

from tests.lightfield.sandbox.conftest import Api, account, assert_error

PAST = {"$startDate": "2024-01-01T10:00:00Z", "$endDate": "2024-01-01T11:00:00Z"}


def _meeting(api: Api, **fields: Any) -> dict[str, Any]:
    return api.create("/meetings", {"fields": {"$title": "Kickoff", **PAST, **fields}})


def test_external_id_is_refused_on_create_and_update(api: Api) -> None:
    """Bodies are ``fields`` and ``relationships`` only (additionalProperties: false)."""
    made = api.post("/accounts", {"fields": {"$name": "A"}, "externalId": "crm-1"})
    assert_error(made, 400, "unknown_field", "externalId")
    record = account(api)
    changed = api.post(f"/accounts/{record['id']}", {"externalId": "crm-1"})
    assert_error(changed, 400, "unknown_field", "externalId")
    assert api.ok(api.get("/accounts"))["totalCount"] == 1


def test_skip_enrichment_only_on_account_and_contact_creates(api: Api) -> None:
    assert api.create("/accounts", {"fields": {"$name": "A"}, "skipEnrichment": True})
    assert api.create("/contacts", {"fields": {"$title": "CTO"}, "skipEnrichment": True})
    task = api.post("/notes", {"fields": {"$title": "n"}, "skipEnrichment": True})
    assert_error(task, 400, "unknown_field", "skipEnrichment")


def test_note_relationships_change_by_add_and_remove_only(api: Api) -> None:
    first, second = account(api, "A")["id"], account(api, "B")["id"]
    note = api.create("/notes", {"fields": {"$title": "n"}, "relationships": {"$account": first}})
    path = f"/notes/{note['id']}"
    replaced = api.post(path, {"relationships": {"$account": {"replace": second}}})
    assert_error(replaced, 400, "invalid_value", "relationships.$account")
    bare = api.post(path, {"relationships": {"$account": second}})
    assert_error(bare, 400, "invalid_value", "relationships.$account")
    moved = api.ok(
        api.post(path, {"relationships": {"$account": {"add": second, "remove": first}}})
    )
    assert moved["relationships"]["$account"]["values"] == [second]


def test_meeting_updates_write_only_the_documented_keys(api: Api) -> None:
    meeting = _meeting(api)
    path = f"/meetings/{meeting['id']}"
    assert_error(api.post(path, {"fields": {"$title": "New"}}), 400, "read_only", "fields.$title")
    listed = api.post(path, {"relationships": {"$transcript": ["fil_x"]}})
    assert_error(listed, 400, "invalid_value", "relationships.$transcript")
    cleared = api.post(path, {"relationships": {"$transcript": {"remove": "fil_x"}}})
    assert_error(cleared, 400, "invalid_value", "relationships.$transcript")
    ok = api.ok(api.post(path, {"fields": {"$privacySetting": "FULL", "$attendeeEmails": []}}))
    assert ok["fields"]["$title"]["value"] == "Kickoff"


def test_second_delete_of_a_trashed_meeting_is_404(api: Api) -> None:
    meeting = _meeting(api)
    api.ok(api.delete(f"/meetings/{meeting['id']}"))
    assert_error(api.delete(f"/meetings/{meeting['id']}"), 404)
    record = account(api)  # other types: a no-op that answers the record
    api.ok(api.delete(f"/accounts/{record['id']}"))
    assert api.ok(api.delete(f"/accounts/{record['id']}"))["id"] == record["id"]


def test_a_request_without_the_version_header_is_400(api: Api) -> None:
    plain = requests.post(
        api.url + "/v1/accounts",
        json={"fields": {"$name": "A"}},
        headers={"Authorization": f"Bearer {api.key}"},
        timeout=10,
    )
    assert_error(plain, 400, "version_header", "Lightfield-Version")
    assert api.ok(api.get("/accounts"))["totalCount"] == 0


def test_reused_idempotency_key_with_another_body_returns_the_first_answer(api: Api) -> None:
    key = {"Idempotency-Key": "same"}
    first = api.create("/accounts", {"fields": {"$name": "First"}}, headers=key)
    other = api.ok(api.post("/accounts", {"fields": {"$name": "Second"}}, headers=key))
    assert other == first
    assert api.ids("/accounts") == [first["id"]]


def test_trashed_lists_and_restore_need_the_restore_scope(lf_sandbox: Any) -> None:
    key = lf_sandbox.new_key(("accounts:read", "accounts:delete"))
    limited = Api({"api_url": lf_sandbox.api_url, "api_key": key})
    assert_error(limited.get("/accounts", params={"status": "trashed"}), 403)
    assert_error(limited.post("/accounts/acc_x/restore"), 403)
    assert_error(
        limited.get("/accounts", params={"status": "gone"}), 400, "invalid_value", "status"
    )


def test_email_log_refusals(api: Api) -> None:
    me = api.ok(api.get("/members"))["data"][0]["fields"]["$email"]["value"]
    body = {
        "fields": {"$from": me, "$to": ["x@out.example"], "$sentAt": "2024-01-01T00:00:00Z"},
        "headers": {"Message-ID": "<a@out.example>"},
    }
    assert api.create("/emails/log", body)
    assert_error(api.post("/emails/log", body), 409)  # the same Message-ID: nothing written
    inside = {**body, "fields": {**body["fields"], "$to": [me]}, "headers": {}}
    assert_error(api.post("/emails/log", inside), 400, "invalid_value", "fields.$from")
    bare = {"fields": {"$from": me, "$sentAt": "2024-01-01T00:00:00Z"}}
    assert_error(api.post("/emails/log", bare), 400, "parameter_missing", "fields.$to")
    assert api.ok(api.get("/emails"))["totalCount"] == 1
