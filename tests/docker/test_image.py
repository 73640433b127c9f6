"""The Dockerfile's two images, run as Airbyte runs a connector: `docker run` and a command.

The images are built from this checkout (`docker build --target source-lexful` and
`--target destination-lexful`) on the base $LEXFUL_DOCKER_BASE (scripts/docker_setup.sh
builds one from Debian's packages where no registry is reachable; default: the Dockerfile's
own, python:3.12-slim). Each container shares the host's network, so it reaches the sandbox on
127.0.0.1; its files come in through a mounted directory, as Airbyte's do. No Docker daemon is
a failure that says so (`make test-docker` or .ci/run start one), never a skip.

Slow (the build installs airbyte-cdk into the image): `make test` leaves this folder out;
`make test-docker` and .ci/run run it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.models import AirbyteMessageSerializer, Status, Type

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.lexful.airbyte.helpers import ROOT, Run, configured, protocol_message, tap_records
from tests.lexful.client import client_for, list_all

SOURCE, DESTINATION = "lexful/source-lexful:test", "lexful/destination-lexful:test"
# The mounted directory, inside the container (Airbyte mounts its own at a path like it).
DATA = "/data"


def docker(*args: str, stdin: bytes | None = None, timeout: float = 1800) -> bytes:
    done = subprocess.run(
        ["docker", *args], input=stdin, capture_output=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"docker {' '.join(args[:3])} failed:\n{done.stderr.decode(errors='replace')[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def images() -> None:
    """Both images built from this checkout; a clear failure when no Docker daemon answers."""
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.fail(
            "no Docker daemon answers (`docker info`: "
            f"{(info.stderr or info.stdout).strip().splitlines()[-1:]}); start one with "
            "scripts/docker_setup.sh (as root: installs docker.io, starts dockerd, builds the "
            "base image) or make test-docker"
        )
    base = os.environ.get("LEXFUL_DOCKER_BASE")
    build = ["build", "--network=host", "--quiet"]
    if base:
        build += ["--build-arg", f"BASE_IMAGE={base}"]
    for image, stage in ((SOURCE, "source-lexful"), (DESTINATION, "destination-lexful")):
        docker(*build, "--target", stage, "--tag", image, str(ROOT))


def run(image: str, data: Path, *args: str, stdin: bytes | None = None) -> Run:
    """`docker run` of the image's entrypoint with ``args``; ``data`` mounted at /data."""
    command = ["docker", "run", "--rm", "-i", "--network=host", "-v", f"{data}:{DATA}"]
    done = subprocess.run(
        [*command, image, *args], input=stdin, capture_output=True, timeout=600, check=False
    )
    messages = [protocol_message(line) for line in done.stdout.splitlines() if line.strip()]
    return Run(done.returncode, messages, done.stderr.decode(errors="replace"))


def put(data: Path, name: str, content: Any) -> str:
    """A file in the mounted directory; returns its path inside the container."""
    (data / name).write_text(json.dumps(content))
    return f"{DATA}/{name}"


def test_each_image_runs_its_connector_as_entrypoint(images: None, tmp_path: Path) -> None:
    for image, title in ((SOURCE, "Lexful Source Spec"), (DESTINATION, "Lexful Destination Spec")):
        result = run(image, tmp_path, "spec")
        assert result.code == 0, result.stderr
        (spec,) = result.of(Type.SPEC)
        assert spec.spec is not None
        assert spec.spec.connectionSpecification["title"] == title
        labels = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", image))
        name = image.split(":")[0].split("/")[1]
        assert labels["Env"].count(f"AIRBYTE_ENTRYPOINT={name}") == 1
        assert labels["Labels"]["io.airbyte.name"] == f"lexful/{name}"


def test_source_checks_discovers_and_reads_the_sandbox(
    images: None, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    config = put(tmp_path, "config.json", demo_sandbox.config)
    check = run(SOURCE, tmp_path, "check", "--config", config)
    assert check.code == 0, check.stderr
    (status,) = check.of(Type.CONNECTION_STATUS)
    assert status.connectionStatus is not None
    assert status.connectionStatus.status == Status.SUCCEEDED, status.connectionStatus.message

    wrong = put(tmp_path, "wrong.json", demo_sandbox.config | {"api_key_secret": "not-it"})
    (status,) = run(SOURCE, tmp_path, "check", "--config", wrong).of(Type.CONNECTION_STATUS)
    assert status.connectionStatus is not None
    assert status.connectionStatus.status == Status.FAILED
    assert "not-it" not in (status.connectionStatus.message or "")

    discover = run(SOURCE, tmp_path, "discover", "--config", config)
    assert discover.code == 0, discover.stderr
    (catalog,) = discover.of(Type.CATALOG)
    assert catalog.catalog is not None
    streams = [s.name for s in catalog.catalog.streams]
    expected = tap_records(tmp_path, demo_sandbox.config)
    assert set(expected) <= set(streams)

    # Airbyte configures the catalog the source discovered: every stream, incremental asked.
    wanted = configured(AirbyteMessageSerializer.dump(catalog)["catalog"])
    catalog_file = put(tmp_path, "catalog.json", wanted)
    read = run(SOURCE, tmp_path, "read", "--config", config, "--catalog", catalog_file)
    assert read.code == 0, read.stderr
    assert read.records() == expected
    assert read.stream_states(), "the read emitted no state"


def test_destination_writes_into_an_account(
    images: None, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    account = demo_sandbox.new_account()
    config = account | {
        "id_map_path": f"{DATA}/id-map.sqlite",
        "rejects_path": f"{DATA}/rejects.jsonl",
    }
    stream = {
        "name": "organizations",
        "json_schema": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in ("id", "name", "type", "status")},
        },
        "supported_sync_modes": ["full_refresh", "incremental"],
        "source_defined_primary_key": [["id"]],
    }
    catalog = {
        "streams": [
            {"stream": stream, "sync_mode": "incremental", "destination_sync_mode": "append_dedup"}
        ]
    }
    names = [f"From the image {i}" for i in range(3)]
    lines = [
        {
            "type": "RECORD",
            "record": {
                "stream": "organizations",
                "data": {"id": f"crm-{i}", "name": n, "type": "client", "status": "active"},
                "emitted_at": 0,
            },
        }
        for i, n in enumerate(names)
    ]
    state = {"stream_descriptor": {"name": "organizations"}, "stream_state": {"done": 3}}
    lines.append({"type": "STATE", "state": {"type": "STREAM", "stream": state}})
    stdin = "".join(json.dumps(line) + "\n" for line in lines).encode()
    args = ["write", "--config", put(tmp_path, "config.json", config)]
    args += ["--catalog", put(tmp_path, "catalog.json", catalog)]
    result = run(DESTINATION, tmp_path, *args, stdin=stdin)
    assert result.code == 0, result.stderr
    assert result.stream_states(), "no state passed on: the records were not all confirmed"
    rejects = tmp_path / "rejects.jsonl"
    assert not rejects.exists() or not rejects.read_text(), rejects.read_text()
    client = client_for(account)
    written = sorted(o["name"] for o in list_all(client, contract.organizations_path()))
    client.close()
    assert written == names
