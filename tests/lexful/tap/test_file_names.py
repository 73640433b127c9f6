"""files_content=directory: the name on disk is safe whatever name and extension the API holds."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient
from tests.lexful.client import create_asset, create_organizations, upload_file
from tests.lexful.tap.helpers import sync, tap_config

NAME_MAX = 255  # bytes in one path segment on ext4, xfs, btrfs, apfs, ntfs
# (name, original_name, file_extension, bytes): each one a file of the same contact.
HOSTILE = {
    "long extension": ("report", "report.x", "x" * 300, b"three hundred\n"),
    "long name": ("n" * 300, "n" * 300 + ".txt", "txt", b"long name\n"),
    "escape by name": ("../../escape", "../../../etc/evil.txt", "txt", b"escape\n"),
    "escape by extension": ("dots", "dots", "/../../../../tmp/owned", b"extension\n"),
    "dot-dot extension": ("dd", "dd", "..", b"dot dot\n"),
    "separators": ("a\\b", "a\\b.c", "c/d\\e", b"separators\n"),
    "non-ascii extension": ("e", "e.\u00e9\u00e9", "\u00e9" * 200, b"accents\n"),
    "plain": ("note", "note.txt", "txt", b"plain\n"),
}


def _upload(
    client: LexfulClient, asset_id: str, name: str, original: str, extension: str, data: bytes
) -> dict[str, Any]:
    """The documented three steps, with the name and extension given as they are."""
    return upload_file(
        client, "system.contact", asset_id, original, data, name=name, extension=extension
    )


@pytest.fixture
def hostile(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    """A contact with one file per hostile name; the API accepts every one of them."""
    organization = create_organizations(client, 1)[0]["id"]
    contact = create_asset(
        client, "system.contact", organization, first_name="Eve", last_name="X", important=False
    )
    files = {label: _upload(client, contact["id"], *spec) for label, spec in HOSTILE.items()}
    return {"config": empty_account, "files": files}


def test_hostile_file_names_land_inside_files_dir(hostile: dict[str, Any], tmp_path: Path) -> None:
    files_dir = tmp_path / "out"
    config = tap_config(hostile["config"], files_content="directory", files_dir=str(files_dir))
    records = {r["id"]: r for r in sync(config).records("files")}
    paths = set()
    for label, created in hostile["files"].items():
        data = HOSTILE[label][3]
        record = records[created["id"]]
        path = Path(record["local_path"])
        assert path.resolve().is_relative_to(files_dir.resolve()), (label, path)
        assert path.read_bytes() == data, label
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert len(path.name.encode()) <= NAME_MAX - len(".part"), label
        assert path.name.startswith(created["id"]), label  # readable, and one file per id
        paths.add(path.resolve())
    assert len(paths) == len(HOSTILE)
    # Nothing else was written: no file beside files_dir, no stray or half-written file in it.
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert {p.resolve() for p in files_dir.rglob("*") if p.is_file()} == paths


def test_plain_names_keep_their_extension(hostile: dict[str, Any], tmp_path: Path) -> None:
    config = tap_config(hostile["config"], files_content="directory", files_dir=str(tmp_path))
    records = {r["id"]: r for r in sync(config).records("files")}
    plain = hostile["files"]["plain"]
    assert Path(records[plain["id"]]["local_path"]).name == f"{plain['id']}.txt"
    long_one = Path(records[hostile["files"]["long extension"]["id"]]["local_path"])
    assert long_one.name == f"{hostile['files']['long extension']['id']}.{'x' * 16}"
    accents = hostile["files"]["non-ascii extension"]["id"]  # nothing readable: no suffix
    assert Path(records[accents]["local_path"]).name == accents
