"""A dry run's plan is the real run's outcome: same creates, updates, deletes, rejects, skips.

The same PSA-shaped input goes through a dry run, then a real run, into one account: a custom
asset type made with create_asset_types, a slug another organization holds, an organization
type the account lacks, a bad date, a bad enum, a bad boolean, extra fields, a record deleted
in the source before it was ever copied. Then a second pass with changes and a delete.
"""

from __future__ import annotations

from typing import Any

from tests.lexful.client import create_organization
from tests.lexful.target.foreign import company, person
from tests.lexful.target.helpers import record, run_target, schema, target_config

MAPPING = {
    "companies": "organizations",
    "people": "system.contact",
    "devices": "system.configuration",
    "licenses": "license",
}
LICENSE_TYPE = {
    "id": 1,
    "name": "license",
    "display_name": "Licenses",
    "properties": [
        {"name": "name", "type": "string", "required": True},
        {"name": "seats", "type": "integer"},
        {"name": "expires", "type": "date"},
    ],
    "references": [],
}
COUNTS = ("created", "updated", "unchanged", "deleted", "rejected", "skipped")
DELETED = {"_sdc_deleted_at": "2024-05-01T00:00:00Z"}


def _device(did: int, company_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": did, "organization_id": company_id, "name": name, **extra}


def _license(lid: int, company_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": lid, "organization_id": company_id, "name": name, **extra}


def _input(
    companies: list[dict], people: list[dict], devices: list[dict], licenses: list[dict]
) -> list[dict]:
    out: list[dict] = [schema("asset_types"), record("asset_types", LICENSE_TYPE)]
    for stream, records in (
        ("companies", companies),
        ("people", people),
        ("devices", devices),
        ("licenses", licenses),
    ):
        out += [schema(stream), *[record(stream, r) for r in records]]
    return out


COMPANIES = [
    company(1, "Acme", slug="acme"),
    company(2, "Initech", slug="taken"),  # the slug of another organization: rejected
    company(3, "Hooli", type="no-such-type"),  # no such organization type: rejected
    company(4, "Umbrella", slug="umbrella"),  # already in the account, same name: found
]
PEOPLE = [
    person(1, 1, "Ada", email="ada@example.com"),  # extra field: dropped
    person(2, 1, "Alan", important="yes"),  # not a boolean: rejected
    person(3, 4, "Grace"),
    {**person(4, 1, "Gone"), **DELETED},  # deleted before it was copied: skipped
]
DEVICES = [
    _device(1, 1, "srv1", install_date="2024-02-29", configuration_type="Server"),
    _device(2, 1, "srv2", install_date="31/12/2024"),  # not a date: rejected
    _device(3, 4, "srv3", configuration_type="Mainframe"),  # not in the enum: rejected
]
LICENSES = [
    _license(1, 1, "Office", seats=10, expires="2025-01-01"),
    _license(2, 4, "CAD", seats="many"),  # not an integer: rejected
]


def _counts(run: Any) -> dict[str, tuple[int, ...]]:
    return {s: tuple(run.count(s, c) for c in COUNTS) for s in sorted(run.stats)}


def _dry_then_real(account: dict, tmp_path: Any, messages: list[dict]) -> tuple[dict, dict]:
    extra = {"stream_asset_types": MAPPING, "create_asset_types": True}
    dry = run_target(target_config(account, tmp_path, dry_run=True, **extra), messages)
    real = run_target(target_config(account, tmp_path, **extra), messages)
    return _counts(dry), _counts(real)


def test_the_dry_run_plans_what_the_real_run_does(empty_account, client, tmp_path):
    create_organization(client, "Other")  # slug "other"
    client.send_json(
        "PATCH",
        f"/v1/organizations/{create_organization(client, 'Keeper')['id']}",
        {"slug": "taken"},
    )
    client.send_json(
        "POST",
        "/v1/organizations",
        {"name": "Umbrella", "slug": "umbrella", "type": "client", "status": "active"},
    )

    planned, done = _dry_then_real(
        empty_account, tmp_path, _input(COMPANIES, PEOPLE, DEVICES, LICENSES)
    )

    assert planned == done
    assert done["companies"][:2] == (1, 0)  # Acme created; Umbrella found (unchanged)
    assert done["companies"][4] == 2  # Initech (slug), Hooli (type)
    assert done["devices"][4] == 2
    assert done["licenses"][:1] == (1,)
    assert done["people"][5] == 1  # Gone: skipped

    second_people = [{**PEOPLE[0], "title": "CTO"}, PEOPLE[2], {**person(3, 4, "Grace"), **DELETED}]
    second_devices = [{**DEVICES[0], "serial_number": "SN1"}]
    planned, done = _dry_then_real(
        empty_account, tmp_path, _input(COMPANIES, second_people, second_devices, LICENSES[:1])
    )

    assert planned == done
    assert done["people"][1] == 1  # Ada updated
    assert done["devices"][1] == 1
