"""Sources that are not tap-lexful: a PSA's and a CRM's exports, hand-written as they come.

Integer ids from one sequence per table (companies 1, 2 and people 1, 2, 3), nulls that mean
"clear", fields Lexful does not have, records with no key, ``match_on`` by asset type name.
Every check reads the sandbox account back over HTTP.
"""

from __future__ import annotations

from typing import Any

from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.foreign import CONTACT, LOCATION, PSA, company, person, psa, site
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config


def orgs_by_name(client: Any) -> dict[str, dict]:
    return {o["name"]: o for o in list_all(client, contract.organizations_path())}


def assets_by(client: Any, asset_type: str, key: str) -> dict[str, dict]:
    return {a[key]: a for a in list_all(client, contract.assets_path(asset_type))}


def test_a_null_clears_the_field_and_only_real_changes_count(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    companies = [
        company(1, "Holding"),
        company(2, "Acme", website_url="https://acme.example", parent_id=1),
    ]
    sites = [site(1, 2, "HQ")]
    people = [person(1, 2, "Ada", title="CTO", references={"location": 1})]
    run_target(config, psa(companies, sites, people))
    acme = orgs_by_name(client)["Acme"]
    assert acme["website_url"] == "https://acme.example"
    assert acme["parent_id"] == orgs_by_name(client)["Holding"]["id"]
    assert assets_by(client, CONTACT, "first_name")["Ada"]["title"] == "CTO"

    cleared_companies = [companies[0], {**companies[1], "website_url": None, "parent_id": None}]
    cleared_people = [{**people[0], "title": None, "references": {"location": None}}]
    run = run_target(config, psa(cleared_companies, sites, cleared_people))

    acme = orgs_by_name(client)["Acme"]
    assert (acme["website_url"], acme["parent_id"]) == (None, None)
    ada = assets_by(client, CONTACT, "first_name")["Ada"]
    assert ada["title"] is None
    assert not (ada.get("references") or {}).get("location")
    assert (run.count("companies", "updated"), run.count("companies", "unchanged")) == (1, 1)
    assert run.count("people", "updated") == 1
    again = run_target(config, psa(cleared_companies, sites, cleared_people))
    assert again.count("companies", "unchanged") == 2
    assert again.count("people", "unchanged") == 1
    assert read_rejects(tmp_path) == []


COMPANIES = [company(1, "Acme"), company(2, "Initech")]
SITES = [site(1, 1, "Acme HQ"), site(2, 2, "Initech HQ")]
PEOPLE = [
    person(1, 1, "Ada", references={"location": 1}),
    person(2, 1, "Alan", references={"location": 1}),
    person(3, 2, "Grace", references={"location": 2}),
]


def _placed(client: Any) -> dict[str, tuple[str, str]]:
    """Each contact as (its organization's name, its location's name)."""
    orgs = {o["id"]: o["name"] for o in list_all(client, contract.organizations_path())}
    sites = {s["id"]: s["name"] for s in list_all(client, contract.assets_path(LOCATION))}
    return {
        p["first_name"]: (orgs[p["organization_id"]], sites.get(p["references"]["location"]))
        for p in list_all(client, contract.assets_path(CONTACT))
    }


def test_ids_equal_across_streams_are_other_records(empty_account, client, tmp_path):
    """A PSA numbers each table: people 1, 2, 3, sites 1, 2 and companies 1, 2 all meet."""
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)

    run = run_target(config, psa(COMPANIES, SITES, PEOPLE))

    assert read_rejects(tmp_path) == []
    assert (run.count("companies", "created"), run.count("people", "created")) == (2, 3)
    expected = {
        "Ada": ("Acme", "Acme HQ"),
        "Alan": ("Acme", "Acme HQ"),
        "Grace": ("Initech", "Initech HQ"),
    }
    assert _placed(client) == expected
    again = run_target(config, psa(COMPANIES, SITES, PEOPLE))
    assert again.count("people", "unchanged") == 3


def test_people_before_their_companies_wait_on_the_right_ones(empty_account, client, tmp_path):
    """Out of order: people 1, 2 arrive before companies 1, 2 and wait on the companies."""
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    messages = [
        schema("people"),
        *[record("people", {**p, "references": {}}) for p in PEOPLE],
        schema("companies"),
        *[record("companies", c) for c in COMPANIES],
    ]

    run = run_target(config, messages)

    assert read_rejects(tmp_path) == []
    assert run.count("people", "created") == 3
    orgs = {o["id"]: o["name"] for o in list_all(client, contract.organizations_path())}
    people = list_all(client, contract.assets_path(CONTACT))
    assert {p["first_name"]: orgs[p["organization_id"]] for p in people} == {
        "Ada": "Acme",
        "Alan": "Acme",
        "Grace": "Initech",
    }


def test_an_integer_organization_id_is_written_and_moved(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    run_target(config, psa(COMPANIES, SITES, PEOPLE))
    moved = [PEOPLE[0], PEOPLE[1], {**PEOPLE[2], "organization_id": 1}]

    run = run_target(config, psa(COMPANIES, SITES, moved))

    assert run.count("people", "updated") == 1
    assert _placed(client)["Grace"] == ("Acme", "Initech HQ")
    assert read_rejects(tmp_path) == []
