"""Where a file's bytes may come from: files_root and allowed_download_hosts.

Every hostile source is rejected with its reason and nothing is read or fetched: a counting
HTTP server on 127.0.0.1 proves "not fetched" (0 requests). What the rules allow is uploaded,
and a URL's query (a presigned signature) or user info never reaches the rejects file or a log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulConnectionError, LexfulHTTPError, contract
from tests.lexful.client import create_organization, download, list_all
from tests.lexful.target.counting_server import SERVED, CountingServer
from tests.lexful.target.helpers import Run, read_rejects, record, run_target, schema, target_config

SECRET = "X-Signature=secret"
PASSWORD = "hunter2"


@pytest.fixture
def server() -> Iterator[CountingServer]:
    counting = CountingServer()
    yield counting
    counting.close()


@pytest.fixture
def other_server() -> Iterator[CountingServer]:
    counting = CountingServer()
    yield counting
    counting.close()


@pytest.fixture
def contact(client: Any) -> dict:
    org = create_organization(client, "Sources Inc")
    body = {"organization_id": org["id"], "first_name": "F", "last_name": "S", "important": False}
    return client.send_json("POST", contract.assets_path("system.contact"), body)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def _file(asset: dict, name: str, **source: Any) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "asset_id": asset["id"],
        "asset_type": "system.contact",
        "name": name,
        "file_extension": name.rsplit(".", 1)[-1],
        "mime_type": "text/plain",
        "upload_status": "completed",
        **source,
    }


def _run(config: dict, records: list[dict]) -> Run:
    return run_target(config, [schema("files"), *[record("files", r) for r in records]])


def _errors(tmp: Path) -> dict[str, str]:
    return {r["record"]["name"]: r["error"] for r in read_rejects(tmp)}


def _stored(client: Any, asset: dict) -> dict[str, bytes]:
    files = list_all(client, contract.files_path("system.contact", asset["id"]))
    return {f["name"]: download(client, "system.contact", asset["id"], f["id"]) for f in files}


def _assert_one_line_reasons(errors: dict[str, str], expected: dict[str, str]) -> None:
    assert errors.keys() == expected.keys()
    for name, fragment in expected.items():
        assert fragment in errors[name], (name, errors[name])
        assert "\n" not in errors[name]


# -- local_path -------------------------------------------------------------------------------


def test_local_paths_outside_files_root_are_refused(
    empty_account, client, contact, root, tmp_path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not for upload")
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "x.txt").write_text("not for upload either")
    (root / "escape.txt").symlink_to(outside)  # inside the root, pointing out of it
    (root / "escape-dir").symlink_to(tmp_path / "outside-dir")
    (root / "sub").mkdir()
    config = target_config(empty_account, tmp_path, files_root=str(root))
    config_file = tmp_path / "target-config.json"  # the target's own config, secret included
    config_file.write_text(json.dumps(config))
    records = [
        _file(contact, "etc", local_path="/etc/hostname"),
        _file(contact, "config", local_path=str(config_file)),
        _file(contact, "dotdot", local_path="../outside.txt"),
        _file(contact, "dotdot-abs", local_path=f"{root}/sub/../../outside.txt"),
        _file(contact, "symlink", local_path="escape.txt"),
        _file(contact, "symlink-dir", local_path=str(root / "escape-dir" / "x.txt")),
        _file(contact, "directory", local_path="sub"),
        _file(contact, "missing", local_path="nothing-here.txt"),
        _file(contact, "nul", local_path="a\0b"),
    ]

    run = _run(config, records)

    outside_root = "is outside files_root"
    _assert_one_line_reasons(
        _errors(tmp_path),
        {
            "etc": outside_root,
            "config": outside_root,
            "dotdot": outside_root,
            "dotdot-abs": outside_root,
            "symlink": outside_root,
            "symlink-dir": outside_root,
            "directory": "not a regular file",
            "missing": "not a readable file",
            "nul": "not a file path",
        },
    )
    assert run.count("files", "rejected") == len(records)
    assert config["api_key_secret"] not in (tmp_path / "rejects.jsonl").read_text()
    assert _stored(client, contact) == {}


def test_local_path_without_files_root_is_refused(
    empty_account, client, contact, root, tmp_path
) -> None:
    (root / "fine.txt").write_text("would be fine under files_root")
    records = [_file(contact, "fine", local_path=str(root / "fine.txt"))]

    _run(target_config(empty_account, tmp_path), records)

    assert _errors(tmp_path) == {
        "fine": "local_path is not allowed: the setting files_root is not set"
    }
    assert _stored(client, contact) == {}


def test_files_inside_files_root_are_uploaded(
    empty_account, client, contact, root, tmp_path
) -> None:
    (root / "docs").mkdir()
    one, two = b"relative to files_root\n", bytes(range(256)) * 50
    (root / "docs" / "one.txt").write_bytes(one)
    (root / "two.bin").write_bytes(two)
    (root / "docs" / "alias.bin").symlink_to(root / "two.bin")  # resolves inside: allowed
    records = [
        _file(contact, "one.txt", local_path="docs/one.txt", size=len(one)),
        _file(contact, "two.bin", local_path=str(root / "two.bin")),
        _file(
            contact,
            "alias.bin",
            local_path="docs/alias.bin",
            sha256=hashlib.sha256(two).hexdigest(),
        ),
    ]

    run = _run(target_config(empty_account, tmp_path, files_root=str(root)), records)

    assert read_rejects(tmp_path) == []
    assert run.count("files", "created") == 3
    assert _stored(client, contact) == {"one.txt": one, "two.bin": two, "alias.bin": two}


# -- download_url -----------------------------------------------------------------------------


def _hostile_urls(server: CountingServer) -> dict[str, tuple[str, str]]:
    """name -> (download_url, what its reason says); the counting server is not listed."""
    port = server.host.split(":")[1]
    loopback = "is loopback; refused unless listed exactly in allowed_download_hosts"
    scheme = "is not allowed (only https or http)"
    return {
        "loopback": (server.url(f"/a?{SECRET}"), loopback),
        "localhost": (f"http://localhost:{port}/b?{SECRET}", loopback),
        "ipv6-loopback": (f"http://[::1]:{port}/c?{SECRET}", loopback),
        "mapped-loopback": (f"http://[::ffff:127.0.0.1]:{port}/d?{SECRET}", loopback),
        "private": (f"http://10.1.2.3/e?{SECRET}", "is private"),
        "link-local": (f"http://169.254.169.254/latest/meta-data?{SECRET}", "is link-local"),
        "unspecified": (f"http://0.0.0.0:{port}/f?{SECRET}", "is unspecified"),
        "unlisted": (f"https://files.example.org/g?{SECRET}", "is not in allowed_download_hosts"),
        "file": ("file:///etc/hostname", scheme),
        "ftp": (f"ftp://files.example.com/h?{SECRET}", scheme),
        "htp": (f"htp://{server.host}/i?{SECRET}", scheme),
        "relative": (f"/v1/files/j?{SECRET}", "not an absolute http(s) URL"),
        "userinfo": (
            f"http://user:{PASSWORD}@files.example.com/k?{SECRET}",
            "carries a user name or password",
        ),
        "bad-ipv6": (f"http://[::1/l?{SECRET}", ": not a URL"),
        "bad-port": (f"http://files.example.com:99999/m?{SECRET}", ": not a URL"),
        "spaces": (f"not a url at all?{SECRET}", ": not a URL"),
        "bad-host": (f"http://exa_mple!.com/n?{SECRET}", "has no valid host name"),
    }


def test_download_urls_breaking_the_rules_are_refused_and_not_fetched(
    empty_account, client, contact, server, tmp_path, caplog
) -> None:
    hostile = _hostile_urls(server)
    records = [_file(contact, name, download_url=url) for name, (url, _) in hostile.items()]
    config = target_config(empty_account, tmp_path, allowed_download_hosts=["files.example.com"])
    caplog.set_level(logging.DEBUG)

    run = _run(config, records)

    _assert_one_line_reasons(_errors(tmp_path), {k: v[1] for k, v in hostile.items()})
    assert run.count("files", "rejected") == len(records)
    assert server.hits == []
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for secret in (SECRET, PASSWORD):
        assert secret not in rejects
        assert secret not in caplog.text
    assert _stored(client, contact) == {}


def test_download_url_without_allowed_download_hosts_is_refused(
    empty_account, contact, tmp_path
) -> None:
    records = [
        _file(contact, "listed-nowhere", download_url=f"https://files.example.com/x?{SECRET}")
    ]

    _run(target_config(empty_account, tmp_path), records)

    assert _errors(tmp_path) == {
        "listed-nowhere": (
            "download_url https://files.example.com/x: "
            "host files.example.com is not in allowed_download_hosts"
        )
    }


def test_a_listed_loopback_host_is_downloaded(
    empty_account, client, contact, server, tmp_path, caplog
) -> None:
    sha = hashlib.sha256(SERVED).hexdigest()
    records = [_file(contact, "served.txt", download_url=server.url(f"/data?{SECRET}"), sha256=sha)]
    config = target_config(empty_account, tmp_path, allowed_download_hosts=[server.host])
    caplog.set_level(logging.DEBUG)

    run = _run(config, records)

    assert read_rejects(tmp_path) == []
    assert run.count("files", "created") == 1
    assert server.hits == [f"/data?{SECRET}"]
    assert _stored(client, contact) == {"served.txt": SERVED}
    assert SECRET not in caplog.text


def test_each_redirect_hop_is_checked(
    empty_account, client, contact, server, other_server, tmp_path
) -> None:
    server.redirects = {
        "/to-other": other_server.url(f"/data?{SECRET}"),  # a port that is not listed
        "/to-file": "file:///etc/hostname",
        "/to-metadata": "http://169.254.169.254/latest/meta-data",
        "/to-self": f"/data?{SECRET}",  # relative, to the listed host: followed
    }
    records = [_file(contact, path[1:], download_url=server.url(path)) for path in server.redirects]
    config = target_config(empty_account, tmp_path, allowed_download_hosts=[server.host])

    run = _run(config, records)

    refused = "redirects to a refused URL"
    _assert_one_line_reasons(
        _errors(tmp_path), {"to-other": refused, "to-file": refused, "to-metadata": refused}
    )
    assert other_server.hits == []
    assert run.count("files", "created") == 1
    assert _stored(client, contact) == {"to-self": SERVED}
    assert SECRET not in (tmp_path / "rejects.jsonl").read_text()


def test_a_refused_download_is_rejected_without_the_query(
    empty_account, contact, server, tmp_path, caplog
) -> None:
    records = [_file(contact, "gone.txt", download_url=server.url(f"/gone?{SECRET}"))]
    config = target_config(empty_account, tmp_path, allowed_download_hosts=[server.host])
    caplog.set_level(logging.DEBUG)

    _run(config, records)

    url = server.url("/gone")
    assert _errors(tmp_path) == {"gone.txt": f"download_url {url}: download failed (HTTP 404)"}
    assert SECRET not in (tmp_path / "rejects.jsonl").read_text()
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("/down", LexfulHTTPError),  # 503 until max_tries: transient
        ("127.0.0.1:9", LexfulConnectionError),  # the discard port: nothing listens
    ],
)
def test_a_transient_download_failure_stops_the_run_without_the_query(
    empty_account, contact, server, tmp_path, caplog, where: str, error: type[Exception]
) -> None:
    # Transient errors are retried, never rejected: the resumed run tries the file again.
    url = server.url(where) if where.startswith("/") else f"http://{where}/closed"
    records = [_file(contact, "later.txt", download_url=f"{url}?{SECRET}")]
    allowed = [server.host, "127.0.0.1:9"]
    config = target_config(empty_account, tmp_path, allowed_download_hosts=allowed, max_tries=1)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(error) as caught:
        _run(config, records)

    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text
    assert read_rejects(tmp_path) == []


# -- dry_run ----------------------------------------------------------------------------------


def test_dry_run_reads_and_fetches_nothing(
    empty_account, contact, server, root, tmp_path, caplog
) -> None:
    (root / "local.txt").write_text("never read by a dry run")
    wrong_sha = "0" * 64  # a read would reject these for their sha256: a plan proves no read
    records = [
        _file(contact, "url.txt", download_url=server.url(f"/data?{SECRET}"), sha256=wrong_sha),
        _file(contact, "local.txt", local_path="local.txt", sha256=wrong_sha),
        _file(contact, "inline.txt", content_base64=base64.b64encode(b"x").decode()),
        _file(contact, "outside.txt", local_path="/etc/hostname"),
        _file(contact, "unlisted.txt", download_url=f"http://10.0.0.1/x?{SECRET}"),
    ]
    config = target_config(
        empty_account,
        tmp_path,
        dry_run=True,
        files_root=str(root),
        allowed_download_hosts=[server.host],
    )
    caplog.set_level(logging.DEBUG)

    run = _run(config, records)

    plan = run.target.engine.plan_lines
    for name in ("url.txt", "local.txt", "inline.txt"):
        assert any("would create files" in line and name in line for line in plan), plan
    assert any("would reject files" in line and "outside files_root" in line for line in plan)
    assert any("would reject files" in line and "is private" in line for line in plan)
    assert server.hits == []
    assert SECRET not in caplog.text
