"""Run source-lexful, destination-lexful and tap-lexful as commands, as Airbyte does.

Every line a connector prints is parsed with the protocol models of airbyte-cdk and dumped
back: a line that is not an Airbyte message, or that holds a field the protocol does not know
(the round trip would drop it), fails the test that ran the command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[3]
EXTRA_MISSING = "the airbyte extra is not installed: pip install -e '.[dev,airbyte]'"


def write_json(path: Path, content: Any) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def as_models_dump(raw: dict[str, Any]) -> dict[str, Any]:
    """A message as the models dump it: they leave out the null members of a record's data
    (source-lexful keeps them: a null is a value)."""
    if raw.get("type") != "RECORD":
        return raw
    data = {k: v for k, v in raw["record"]["data"].items() if v is not None}
    return raw | {"record": raw["record"] | {"data": data}}


def protocol_message(line: bytes) -> AirbyteMessage:
    """One printed line as a protocol message, or an assertion naming what is wrong."""
    raw = orjson.loads(line)
    message = AirbyteMessageSerializer.load(raw)
    again = AirbyteMessageSerializer.dump(message)
    assert again == as_models_dump(raw), (
        f"not exactly a protocol message:\n{raw}\nas the models read it:\n{again}"
    )
    return message


@dataclass
class Run:
    """What a connector command printed, every line checked, and how it exited."""

    code: int
    messages: list[AirbyteMessage]
    stderr: str

    def of(self, kind: Type) -> list[AirbyteMessage]:
        return [message for message in self.messages if message.type == kind]

    def records(self) -> Counter[str]:
        return Counter(m.record.stream for m in self.of(Type.RECORD) if m.record)

    def statuses(self) -> list[tuple[str, str]]:
        return [
            (t.stream_status.stream_descriptor.name, t.stream_status.status.value)
            for m in self.of(Type.TRACE)
            if (t := m.trace) is not None and t.stream_status is not None
        ]

    def stream_states(self) -> list[dict[str, Any]]:
        return [
            AirbyteMessageSerializer.dump(m)["state"]
            for m in self.of(Type.STATE)
            if m.state is not None
        ]


def run(command: str, *args: str, stdin: bytes | None = None, timeout: float = 300) -> Run:
    done = subprocess.run(
        [str(BIN / command), *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    messages = [protocol_message(line) for line in done.stdout.splitlines() if line.strip()]
    return Run(done.returncode, messages, done.stderr.decode(errors="replace"))


def tap_records(
    tmp: Path, config: dict[str, Any], state: dict[str, Any] | None = None
) -> Counter[str]:
    """What tap-lexful itself emits, per stream: the counts the adapters must match."""
    args = [str(BIN / "tap-lexful"), "--config", write_json(tmp / "tap-config.json", config)]
    if state:
        args += ["--state", write_json(tmp / "tap-state.json", state)]
    done = subprocess.run(args, capture_output=True, check=True, timeout=300)
    lines = (json.loads(line) for line in done.stdout.splitlines())
    return Counter(m["stream"] for m in lines if m["type"] == "RECORD")


def discovered(tmp: Path, config: dict[str, Any]) -> dict[str, Any]:
    """The Airbyte catalog source-lexful discovers, as JSON."""
    result = run("source-lexful", "discover", "--config", write_json(tmp / "config.json", config))
    assert result.code == 0, result.stderr
    (catalog,) = result.of(Type.CATALOG)
    return AirbyteMessageSerializer.dump(catalog)["catalog"]


def configured(
    catalog: dict[str, Any], sync_mode: str = "incremental", names: set[str] | None = None
) -> dict[str, Any]:
    """A configured catalog asking ``sync_mode`` of every stream (or of ``names``), supported
    or not, as PyAirbyte asks ``incremental`` of every stream."""
    return {
        "streams": [
            {"stream": stream, "sync_mode": sync_mode, "destination_sync_mode": "append"}
            for stream in catalog["streams"]
            if names is None or stream["name"] in names
        ]
    }
