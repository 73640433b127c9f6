"""Issue 18's new-user trial: no update that changes nothing, keyless records under a SCHEMA
key placed by match_on, and match_on settings that name nothing or no record's field."""

from __future__ import annotations

from lexful_api import contract
from tests.lexful.client import create_organization, list_all
from tests.lexful.target.foreign import PSA, company, person, psa, stops_before_any_record
from tests.lexful.target.helpers import (
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)

CONTACT = "system.contact"


def _patches(sent: list) -> list:
    return [s for s in sent if s[0] == "PATCH"]


def test_a_change_lexful_already_has_is_unchanged_and_sends_no_patch(
    empty_account, client, tmp_path
):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    full = person(1, 1, "Ada", title="Tech")
    run_target(config, psa([company(1, "Acme")], [], [full]))

    partial_sent: list = []
    partial = run_target(
        config, psa([company(1, "Acme")], [], [{"id": 1, "title": "Tech"}]), sent=partial_sent
    )
    dry = run_target({**config, "dry_run": True}, psa([company(1, "Acme")], [], [full]))
    again_sent: list = []
    again = run_target(config, psa([company(1, "Acme")], [], [full]), sent=again_sent)

    for run in (partial, dry, again):
        assert (run.count("people", "updated"), run.count("people", "unchanged")) == (0, 1)
    assert _patches(partial_sent) == _patches(again_sent) == []
    [ada] = list_all(client, contract.assets_path(CONTACT))
    assert (ada["first_name"], ada["title"]) == ("Ada", "Tech")


def test_a_real_change_after_a_partial_record_patches_only_what_differs(
    empty_account, client, tmp_path
):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    run_target(config, psa([company(1, "Acme")], [], [person(1, 1, "Ada", title="Tech")]))
    sent: list = []

    run = run_target(
        config, psa([company(1, "Acme")], [], [person(1, 1, "Ada", title="CTO")]), sent=sent
    )

    assert run.count("people", "updated") == 1
    [(_, _, body)] = _patches(sent)
    assert body == {"title": "CTO"}
    assert [p["title"] for p in list_all(client, contract.assets_path(CONTACT))] == ["CTO"]


def _keyless(first: str, **extra: object) -> dict:
    body = {"organization_id": 1, "first_name": first, "last_name": "Doe", "important": False}
    return {**body, **extra}


def test_a_keyless_record_under_a_schema_key_is_placed_by_match_on(empty_account, client, tmp_path):
    acme = create_organization(client, "Acme")
    body = {"organization_id": acme["id"], "first_name": "Ada", "last_name": "Doe"}
    ada = client.send_json("POST", contract.assets_path(CONTACT), {**body, "important": False})
    config = target_config(
        empty_account,
        tmp_path,
        stream_asset_types=PSA,
        match_on={"organizations": ["name"], CONTACT: ["first_name", "last_name"]},
    )

    run = run_target(config, psa([company(1, "Acme")], [], [_keyless("Ada", title="CTO")]))

    assert (run.count("people", "updated"), run.count("people", "rejected")) == (1, 0)
    people = list_all(client, contract.assets_path(CONTACT))
    assert [(p["id"], p["title"]) for p in people] == [(ada["id"], "CTO")]
    assert read_rejects(tmp_path) == []


def test_a_keyless_record_with_no_match_on_is_rejected_as_received(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)

    run = run_target(config, psa([company(1, "Acme")], [], [_keyless("Ada")]))

    assert run.count("people", "rejected") == 1
    [reject] = read_rejects(tmp_path)
    assert reject["error"].startswith("record has no key: no id, key_properties ['id']")
    assert reject["record"] == _keyless("Ada")  # no _sdc_ field the SDK added
    assert list_all(client, contract.assets_path(CONTACT)) == []


def test_a_match_on_naming_no_stream_or_type_stops_before_any_record(
    empty_account, client, tmp_path
):
    match_on = {"system.kontact": ["id"]}
    stderr = stops_before_any_record(
        empty_account, client, tmp_path, stream_asset_types=PSA, match_on=match_on
    )
    assert "match_on: 'system.kontact'" in stderr


def test_match_on_named_by_stream_type_or_stream_name_is_accepted(empty_account, client, tmp_path):
    config = target_config(
        empty_account,
        tmp_path,
        stream_asset_types=PSA,
        match_on={"people": ["first_name"], "system_contact": ["first_name"], "companies": []},
    )

    run = run_target(config, psa([company(1, "Acme")], [], [person(1, 1, "Ada")]))

    assert run.count("people", "created") == 1


def test_a_match_on_field_no_record_has_ends_the_run_non_zero(empty_account, client, tmp_path):
    config = target_config(
        empty_account, tmp_path, stream_asset_types=PSA, match_on={"organizations": ["nmae"]}
    )
    messages = [
        *psa([company(1, "Acme"), company(2, "Globex")], [], []),
        schema("people"),
        record("people", {**person(1, 3, "Ada")}),
    ]

    run = run_target(config, messages, fails=True)

    assert run.exit_message is not None
    assert "'companies'" in run.exit_message
    assert "match_on key 'nmae'" in run.exit_message
    assert run.count("companies", "rejected") == 2
    assert "rejected by a setting" not in run.stats["companies"]
