"""A file download whose body breaks off midway is read again from its start, by both taps.

A proxy in front of the sandbox (the API the tap is given) passes everything through, but
sends each presigned download through itself, and cuts the first one's body in half: the
headers promise every byte (``Content-Length``), half come, the connection closes. The tap must
then hold the file's bytes exactly once: not half, not half and then the whole. One place does
this for both taps (``connector_core.download_file``, through ``HttpClient.request``'s retries);
tap-lightfield used to fail the sync on the first broken body.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient
from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tests.lexful.client import create_asset, create_organizations, upload_file
from tests.lexful.tap.helpers import sync, tap_config
from tests.lightfield.tap.helpers import sync as lightfield_sync
from tests.lightfield.tap.helpers import tap_config as lightfield_tap_config
from tests.security.hostile import Answer, Hostile, Seen, hostile

#: Several of the client's 64 KiB chunks, so that the cut falls after some were written.
DATA = bytes(range(256)) * 1200
STORAGE = "/_storage/"


class CutFirstDownload:
    """The proxy's route: download URLs rewritten to come through it, the first one cut."""

    def __init__(self, upstream: str, *, cut: bool = True) -> None:
        self.upstream = upstream.rstrip("/")
        self.proxy: Hostile | None = None
        self.cuts_left = 1 if cut else 0
        self.downloads = 0
        self.lock = threading.Lock()

    def __call__(self, seen: Seen, forward: Any) -> Answer | None:
        assert self.proxy is not None
        path = seen.path.split("?")[0]
        if path.startswith(STORAGE):
            with self.lock:
                self.downloads += 1
                cut, self.cuts_left = self.cuts_left > 0, max(0, self.cuts_left - 1)
            if not cut:
                return None
            up = forward()
            headers = {**up.headers, "Content-Length": str(len(up.body))}
            return Answer(up.status, headers, _half(up.body))
        if path.endswith("/download") or (path.startswith("/v1/files/") and path.endswith("/url")):
            up = forward()
            body = up.body.replace(self.upstream.encode(), self.proxy.url.encode())
            return Answer(up.status, up.headers, body)
        return None

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url


def _half(body: bytes) -> Iterator[bytes]:
    yield body[: len(body) // 2]  # then the proxy closes the connection


@contextmanager
def through_proxy(upstream: str, *, cut: bool = True) -> Iterator[CutFirstDownload]:
    """The proxy in front of ``upstream`` (``route.proxy.url`` is the tap's ``api_url``)."""
    route = CutFirstDownload(upstream, cut=cut)
    with hostile(route, upstream) as proxy:
        route.proxy = proxy
        yield route


@pytest.fixture
def lexful_account(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    """An account with one contact holding one file of ``DATA``."""
    organization = create_organizations(client, 1)[0]["id"]
    contact = create_asset(
        client, "system.contact", organization, first_name="A", last_name="B", important=False
    )
    upload_file(client, "system.contact", contact["id"], "data.bin", DATA)
    return empty_account


def test_lexful_inline_download_broken_midway_is_read_again(
    lexful_account: dict[str, Any],
) -> None:
    with through_proxy(lexful_account["api_url"]) as route:
        config = tap_config({**lexful_account, "api_url": route.url}, files_content="inline")
        files = sync(config).records("files")
    assert route.downloads == 2  # the broken one, then the whole
    assert len(files) == 1
    assert base64.b64decode(files[0]["content_base64"]) == DATA
    assert files[0]["sha256"] == hashlib.sha256(DATA).hexdigest()


def test_lexful_directory_download_broken_midway_is_written_once(
    lexful_account: dict[str, Any], tmp_path: Path
) -> None:
    files_dir = tmp_path / "files"
    with through_proxy(lexful_account["api_url"]) as route:
        config = tap_config(
            {**lexful_account, "api_url": route.url},
            files_content="directory",
            files_dir=str(files_dir),
        )
        files = sync(config).records("files")
    assert route.downloads == 2
    assert len(files) == 1
    assert Path(files[0]["local_path"]).read_bytes() == DATA
    assert files[0]["sha256"] == hashlib.sha256(DATA).hexdigest()
    written = [p for p in files_dir.rglob("*") if p.is_file()]
    assert written == [Path(files[0]["local_path"])]  # no part file left behind


def test_lightfield_download_broken_midway_is_read_again() -> None:
    with lightfield_sandbox(seed="demo") as sandbox:
        upstream = sandbox.config["api_url"]
        with through_proxy(upstream, cut=False) as route:
            config = lightfield_tap_config(
                {**sandbox.config, "api_url": route.url}, files_content="inline"
            )
            clean = lightfield_sync(config).records("files")
        expected = {f["id"]: f["content_base64"] for f in clean if "content_base64" in f}
        assert route.downloads == len(expected) > 0

        with through_proxy(upstream) as route:
            config = lightfield_tap_config(
                {**sandbox.config, "api_url": route.url}, files_content="inline"
            )
            files = lightfield_sync(config).records("files")
    assert route.downloads == len(expected) + 1  # one of them twice: broken, then whole
    got = {f["id"]: f["content_base64"] for f in files if "content_base64" in f}
    assert got == expected
    for record in files:
        if "content_base64" in record:
            data = base64.b64decode(record["content_base64"])
            assert record["sha256"] == hashlib.sha256(data).hexdigest()
