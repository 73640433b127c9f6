"""An id map written before references were keyed by namespace still works.

Its waiting records wait on bare source ids (``waiting_refs.ref`` = ``"1"``): a record of the
next run with that id releases them, as it did before.
"""

from __future__ import annotations

from connector_core.target.id_map import IdMap
from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.foreign import CONTACT, PSA, company, person, psa
from tests.lexful.target.helpers import read_rejects, run_target, target_config


def test_a_record_parked_by_an_older_version_is_released(empty_account, client, tmp_path):
    config = target_config(empty_account, tmp_path, stream_asset_types=PSA)
    ids = IdMap(config["id_map_path"], empty_account["account_id"])
    ada = person(5, 1, "Ada")
    # As the older version parked it: its missing reference has no keys, only the bare id.
    ids.park("people", "5", ada, ["id"], [{"field": "organization_id", "id": "1"}], 3)
    ids.close()

    run = run_target(config, psa([company(1, "Acme")], [], []))

    assert run.count("people", "created") == 1
    [org] = list_all(client, contract.organizations_path())
    [contact] = list_all(client, contract.assets_path(CONTACT))
    assert (contact["first_name"], contact["organization_id"]) == ("Ada", org["id"])
    assert read_rejects(tmp_path) == []
