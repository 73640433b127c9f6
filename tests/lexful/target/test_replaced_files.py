"""A file replaced in the source by one of the same name and size but other bytes.

The hourly copy (no ACTIVATE_VERSION) must upload the new bytes, and the nightly
``children: all_parents`` pass must delete only the old file: the copy ends with the source's
bytes, whatever the order of the passes.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from lexful_api import contract
from tests.lexful.client import download, list_all
from tests.lexful.target.child_versions import CONTACT, Source, people, source_messages
from tests.lexful.target.helpers import read_rejects, run_target, target_config

OLD, NEW = b"old bytes of backup\n", b"new bytes of backup\n"  # same size, other content


def _file(src: Source, data: bytes, file_id: str) -> dict[str, Any]:
    return {
        "id": file_id,
        "asset_id": src.ids["Ada"],
        "asset_type": CONTACT,
        "name": "backup.txt",
        "original_name": "backup.txt",
        "file_extension": "txt",
        "mime_type": "text/plain",
        "size": len(data),
        "content_base64": base64.b64encode(data).decode(),
    }


def _ada_files(client: Any) -> list[bytes]:
    ada = people(client)["Ada"]["id"]
    return [
        download(client, CONTACT, ada, f["id"])
        for f in list_all(client, contract.files_path(CONTACT, ada))
    ]


def test_a_replaced_file_reaches_the_copy_hourly_then_nightly(empty_account, client, tmp_path):
    assert len(OLD) == len(NEW)
    src, config = Source(), target_config(empty_account, tmp_path)
    old = _file(src, OLD, str(uuid.uuid4()))
    run_target(config, source_messages(src, [], [old], 1))
    assert _ada_files(client) == [OLD]
    new = _file(src, NEW, str(uuid.uuid4()))  # the old file deleted, a new one uploaded

    hourly = run_target(config, source_messages(src, [], [new], None))

    assert hourly.count("files", "created") == 1
    assert sorted(_ada_files(client)) == sorted([OLD, NEW])  # the hourly pass deletes nothing

    nightly = run_target(config, source_messages(src, [], [new], 2))

    assert (nightly.count("files", "deleted"), nightly.count("files", "unchanged")) == (1, 1)
    assert _ada_files(client) == [NEW]
    again = run_target(config, source_messages(src, [], [new], 3))
    assert (again.count("files", "deleted"), again.count("files", "unchanged")) == (0, 1)
    assert _ada_files(client) == [NEW]
    assert read_rejects(tmp_path) == []


def test_a_replaced_file_reaches_the_copy_in_the_nightly_pass(empty_account, client, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    run_target(config, source_messages(src, [], [_file(src, OLD, str(uuid.uuid4()))], 1))
    new = _file(src, NEW, str(uuid.uuid4()))

    nightly = run_target(config, source_messages(src, [], [new], 2))

    assert (nightly.count("files", "created"), nightly.count("files", "deleted")) == (1, 1)
    assert _ada_files(client) == [NEW]
    assert read_rejects(tmp_path) == []


def test_a_file_the_source_still_has_is_never_swept(empty_account, client, tmp_path):
    """Two source records (the old id, then a new one) of one identical file: it is kept."""
    src, config = Source(), target_config(empty_account, tmp_path)
    run_target(config, source_messages(src, [], [_file(src, OLD, str(uuid.uuid4()))], 1))
    same = _file(src, OLD, str(uuid.uuid4()))  # re-uploaded in the source: same bytes, new id

    nightly = run_target(config, source_messages(src, [], [same], 2))

    assert nightly.count("files", "deleted") == 0
    assert _ada_files(client) == [OLD]


def test_the_dry_run_plans_the_replaced_file_as_the_real_run_does(empty_account, client, tmp_path):
    src, config = Source(), target_config(empty_account, tmp_path)
    run_target(config, source_messages(src, [], [_file(src, OLD, str(uuid.uuid4()))], 1))
    new = _file(src, NEW, str(uuid.uuid4()))

    dry = run_target({**config, "dry_run": True}, source_messages(src, [], [new], None))
    real = run_target(config, source_messages(src, [], [new], None))

    counts = [(r.count("files", "created"), r.count("files", "unchanged")) for r in (dry, real)]
    assert counts == [(1, 0), (1, 0)]


def test_a_link_is_swept_though_another_link_points_at_the_same_asset(
    empty_account, client, tmp_path
):
    """Two links to one asset (Ada -> Cy, Bob -> Cy): the one the source dropped goes."""
    ids = {name: str(uuid.uuid4()) for name in ("Ada", "Bob", "Cy")}
    src, config = Source(ids=ids), target_config(empty_account, tmp_path)
    run_target(config, source_messages(src, [src.link("Ada", "Cy"), src.link("Bob", "Cy")], [], 1))

    nightly = run_target(config, source_messages(src, [src.link("Ada", "Cy")], [], 2))

    assert nightly.count("related_assets", "deleted") == 1
    found = people(client)
    linked = {
        name: [
            link["asset_id"] for link in list_all(client, contract.related_path(CONTACT, p["id"]))
        ]
        for name, p in found.items()
    }
    assert linked == {"Ada": [found["Cy"]["id"]], "Bob": [], "Cy": []}
