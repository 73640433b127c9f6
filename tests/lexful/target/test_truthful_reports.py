"""What the run reports is what it did: deletes, skips, dropped fields, settings, exit status."""

from __future__ import annotations

import logging
import uuid

from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.foreign import PSA, company, person, psa, stops_before_any_record
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config

CONTACT = "system.contact"
DELETED = {"_sdc_deleted_at": "2024-05-01T00:00:00Z"}


def test_a_delete_counts_as_deleted_and_a_never_copied_one_as_skipped(
    empty_account, client, tmp_path
):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    people = [person(1, 1, "Ada"), person(2, 1, "Alan")]
    run_target(config, psa([company(1, "Acme")], [], people))

    run = run_target(
        config,
        psa(
            [company(1, "Acme")],
            [],
            [{**people[0], **DELETED}, people[1], {**person(3, 1, "Cy"), **DELETED}],
        ),
    )

    row = run.stats["people"]
    assert (row["deleted"], row["updated"], row["unchanged"], row["skipped"]) == (1, 0, 1, 1)
    assert row["rejected"] == 0
    assert read_rejects(tmp_path) == []
    assert [p["first_name"] for p in list_all(client, contract.assets_path(CONTACT))] == ["Alan"]


def test_a_typo_in_stream_asset_types_stops_before_any_record(empty_account, client, tmp_path):
    mapping = {"companies": "organizations", "people": "system.kontact"}
    stderr = stops_before_any_record(empty_account, client, tmp_path, stream_asset_types=mapping)
    assert "system.kontact" in stderr


def test_a_stream_no_asset_type_takes_ends_the_run_non_zero(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    messages = [*psa([company(1, "Acme")], [], []), schema("tickets"), record("tickets", {"id": 1})]

    run = run_target(config, messages, fails=True)

    assert run.exit_message is not None
    assert "'tickets'" in run.exit_message
    assert run.count("companies", "created") == 1  # the other streams are written
    assert [r["stream"] for r in read_rejects(tmp_path)] == ["tickets"]


def test_extra_fields_are_dropped_with_one_warning_each(empty_account, client, tmp_path, caplog):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    companies = [company(i, f"Co {i}", crm_id=f"C{i}") for i in (1, 2)]
    people = [person(i, 1, f"P{i}", email=f"p{i}@example.com", crm_id=f"P{i}") for i in (1, 2, 3)]

    with caplog.at_level(logging.WARNING):
        run = run_target(config, psa(companies, [], people))

    assert (run.count("companies", "created"), run.count("people", "created")) == (2, 3)
    assert read_rejects(tmp_path) == []
    dropped = [r.getMessage() for r in caplog.records if "dropped (extra_fields" in r.getMessage()]
    assert len(dropped) == 3, dropped  # companies.crm_id, people.crm_id, people.email
    assert {d.split(":")[0] for d in dropped} == {"companies", "people"}


def test_extra_fields_reject_names_the_field(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA, extra_fields="reject")
    people = [person(1, 1, "Ada", email="ada@example.com"), person(2, 1, "Alan")]

    run = run_target(config, psa([company(1, "Acme")], [], people))

    assert (run.count("people", "created"), run.count("people", "rejected")) == (1, 1)
    [reject] = read_rejects(tmp_path)
    assert reject["error"].startswith("email: not a field of asset type system.contact")


def test_extra_fields_reject_of_every_record_of_a_stream_ends_non_zero(
    empty_account, client, tmp_path
):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA, extra_fields="reject")
    people = [person(i, 1, f"P{i}", email=f"p{i}@example.com") for i in (1, 2)]

    run = run_target(config, psa([company(1, "Acme")], [], people), fails=True)

    assert run.exit_message is not None
    assert "stream 'people': every record rejected: email: not a field" in run.exit_message
    assert (run.count("companies", "created"), run.count("people", "rejected")) == (1, 2)


def test_an_upload_the_source_never_completed_is_skipped_every_run(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    run_target(config, psa([company(1, "Acme")], [], [person(1, 1, "Ada")]))
    pending = {
        "id": str(uuid.uuid4()),
        "asset_id": 1,
        "asset_type": CONTACT,
        "name": "half.txt",
        "size": 10,
        "upload_status": "pending",
    }
    messages = [schema("files"), record("files", pending)]

    runs = [run_target(config, messages) for _ in range(2)]

    assert [(r.count("files", "skipped"), r.count("files", "rejected")) for r in runs] == [
        (1, 0),
        (1, 0),
    ]
    assert read_rejects(tmp_path) == []


def test_a_dry_runs_rejects_line_says_nothing_was_written(empty_account, client, tmp_path, caplog):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA, dry_run=True)
    people = [{**person(1, 1, "Ada"), "important": "very"}]

    with caplog.at_level(logging.WARNING):
        run_target(config, psa([company(1, "Acme")], [], people))

    [line] = [r.getMessage() for r in caplog.records if "record(s) rejected" in r.getMessage()]
    assert "see not written" not in line
    assert "nothing written" in line


def test_a_deleted_contact_of_an_organization_never_copied_is_skipped_not_waiting(
    empty_account, client, tmp_path
):
    """Created and deleted between runs, an organization and its contact arrive deleted: the
    contact waits for no reference (its organization is never copied), it is skipped."""
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    run_target(config, psa([company(1, "Acme")], [], [person(1, 1, "Ada")]))

    gone_org = {**company(2, "Gone"), **DELETED}
    run = run_target(
        config, psa([company(1, "Acme"), gone_org], [], [{**person(2, 2, "Cy"), **DELETED}])
    )
    assert read_rejects(tmp_path) == []
    assert (run.stats["people"]["skipped"], run.stats["people"]["rejected"]) == (1, 0)
    assert (run.stats["companies"]["skipped"], run.stats["companies"]["rejected"]) == (1, 0)

    # Its organization not in the input at all: still nothing to wait for.
    alone = run_target(config, psa([], [], [{**person(3, 9, "Di"), **DELETED}]))
    assert read_rejects(tmp_path) == []
    assert (alone.stats["people"]["skipped"], alone.stats["people"]["rejected"]) == (1, 0)
    assert [p["first_name"] for p in list_all(client, contract.assets_path(CONTACT))] == ["Ada"]
