"""Both taps against a hostile API: a proxy in front of the sandbox that lies about files.

tap-lexful is pointed at the proxy (its API), which forwards to the sandbox and rewrites what
a test says: a file's download URL to an internal service, a file's bytes to far more than
declared. tap-lightfield's proxy names a custom object type with a path in its slug.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient
from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tap_lightfield.tap import TapLightfield
from tests.lexful.client import create_asset, create_organizations, upload_file
from tests.lexful.tap.helpers import sync, tap_config
from tests.lightfield.tap.helpers import sync as lightfield_sync
from tests.lightfield.tap.helpers import tap_config as lightfield_tap_config
from tests.security.hostile import Answer, Seen, hostile
from tests.security.rss import peak_rss_mib

TAP = str(Path(sys.executable).with_name("tap-lexful"))
MIB = 1024 * 1024


@pytest.fixture
def account(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    """An account with one contact holding one 10-byte file."""
    organization = create_organizations(client, 1)[0]["id"]
    contact = create_asset(
        client, "system.contact", organization, first_name="A", last_name="B", important=False
    )
    upload_file(client, "system.contact", contact["id"], "ten.txt", b"0123456789")
    return empty_account


def download_to(url: str) -> Any:
    """A route that answers every download request with ``url`` as the file's URL."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.path.split("?")[0].endswith("/download"):
            return Answer(
                200, {"Content-Type": "application/json"}, json.dumps({"url": url}).encode()
            )
        return None

    return route


def test_lexful_download_to_an_internal_host_is_refused(account: dict[str, Any]) -> None:
    with hostile(lambda seen, _: Answer(200, {}, b'{"AccessKeyId": "AKIA-internal"}')) as internal:  # noqa: SIM117  (the inner one needs the outer's URL)
        with hostile(
            download_to(internal.url + "/latest/meta-data/creds"), account["api_url"]
        ) as api:
            config = tap_config({**account, "api_url": api.url}, files_content="inline")
            with pytest.raises(Exception, match="allowed_file_hosts"):
                sync(config)
    assert internal.seen == []  # nothing reached it


def endless(seen: Seen) -> Iterator[bytes]:
    for _ in range(600):
        yield b"\0" * MIB


def test_lexful_inline_cap_holds_while_downloading(account: dict[str, Any], tmp_path: Path) -> None:
    """A file declared as 10 bytes that sends 600 MiB: the old tap held it all (664 MB)."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.path.startswith("/big"):
            return Answer(200, {"Content-Type": "application/octet-stream"}, endless(seen))
        answer: Answer | None = download_to(api.url + "/big")(seen, forward)
        return answer

    with hostile(route, account["api_url"]) as api:
        config = tap_config(
            {**account, "api_url": api.url}, files_content="inline", max_inline_bytes=1000
        )
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        peak, output = peak_rss_mib([TAP, "--config", str(path)])
    assert "over max_inline_bytes" in output or "more than max_inline_bytes" in output
    records = [
        json.loads(line) for line in output.splitlines() if line.startswith('{"type":"RECORD"')
    ]
    files = [m["record"] for m in records if m["stream"] == "files"]
    assert len(files) == 1
    assert "content_base64" not in files[0]
    assert peak < 250, f"peak RSS {peak:.0f} MiB"


def test_lexful_directory_has_a_cap_and_private_files(
    account: dict[str, Any], tmp_path: Path
) -> None:
    files_dir = tmp_path / "files"
    config = tap_config(account, files_content="directory", files_dir=str(files_dir))
    records = sync(config).records("files")
    path = Path(records[0]["local_path"])
    assert path.read_bytes() == b"0123456789"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    with pytest.raises(Exception, match="max_file_bytes"):
        sync({**config, "files_dir": str(tmp_path / "other"), "max_file_bytes": 5})


def test_lexful_directory_does_not_write_through_a_planted_symlink(
    account: dict[str, Any], tmp_path: Path
) -> None:
    files_dir, elsewhere = tmp_path / "files", tmp_path / "elsewhere"
    files_dir.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, files_dir / "system.contact")
    config = tap_config(account, files_content="directory", files_dir=str(files_dir))
    with pytest.raises(Exception, match="symlink"):
        sync(config)
    assert list(elsewhere.iterdir()) == []


def test_lightfield_slug_with_a_path_is_a_safe_stream_name() -> None:
    with lightfield_sandbox(seed="demo") as sandbox:

        def route(seen: Seen, forward: Any) -> Answer | None:
            if seen.path.split("?")[0] == "/v1/objects":
                body = {"data": [{"objectType": "../../escape\nx"}], "object": "list"}
                return Answer(200, {"Content-Type": "application/json"}, json.dumps(body).encode())
            if "escape" in seen.path:
                return Answer(200, {"Content-Type": "application/json"}, b'{"fields": {}}')
            return None

        with hostile(route, sandbox.config["api_url"]) as api:
            tap = TapLightfield(
                config={**sandbox.config, "api_url": api.url}, parse_env_config=False
            )
            names = [stream.name for stream in tap.discover_streams()]
    odd = [name for name in names if "escape" in name]
    assert len(odd) == 1
    assert all(c.isalnum() or c == "_" for c in odd[0]), odd


def test_lightfield_download_to_an_internal_host_is_refused() -> None:
    internal_answer = Answer(200, {}, b'{"AccessKeyId": "AKIA-internal"}')
    with (
        lightfield_sandbox(seed="demo") as sandbox,
        hostile(lambda s, _: internal_answer) as internal,
    ):

        def route(seen: Seen, forward: Any) -> Answer | None:
            path = seen.path.split("?")[0]
            if path.startswith("/v1/files/") and path.endswith("/url"):
                body = json.dumps({"url": internal.url + "/latest/meta-data"}).encode()
                return Answer(200, {"Content-Type": "application/json"}, body)
            return None

        with hostile(route, sandbox.config["api_url"]) as api:
            config = lightfield_tap_config(
                {**sandbox.config, "api_url": api.url}, files_content="inline"
            )
            with pytest.raises(Exception, match="allowed_file_hosts"):
                lightfield_sync(config)
    assert any("/url" in path for path in api.paths())  # a file was there to download
    assert internal.seen == []


def test_lexful_file_ids_are_encoded_in_request_paths(account: dict[str, Any]) -> None:
    """A file id of ``..`` from the API: the old tap asked for ``.../files/../download``; it
    is refused now (requests would turn ``%2E%2E`` back into ``..``)."""

    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.method == "GET" and seen.path.split("?")[0].endswith("/files"):
            up = forward()
            body = json.loads(up.body)
            for item in body.get("items", []):
                item["id"] = ".."
            return Answer(200, {"Content-Type": "application/json"}, json.dumps(body).encode())
        return None

    with hostile(route, account["api_url"]) as api:
        config = tap_config({**account, "api_url": api.url}, files_content="inline")
        with contextlib.suppress(Exception):
            sync(config)
    paths = api.paths()
    # Its only file's id is "..": no download is asked for, neither "files/../download" nor
    # the asset's own path that urllib3 makes of it by removing the dot segment.
    assert not [p for p in paths if p.split("?")[0].endswith("/download")], paths
    assert any(p.split("?")[0].endswith("/files") for p in paths), paths  # the list was read
