"""Lines for the poison-proof tests: good organizations, bad lines, and one run between them."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from lexful_api import contract
from target_lexful.target import TargetLexful
from tests.lexful.client import list_all
from tests.lexful.target.helpers import org_record, read_rejects, record, schema, target_config

BIN = Path(sys.executable).parent / "target-lexful"
ORG_PROPS = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "founded": {"type": ["string", "null"], "format": "date-time"},  # the SDK parses it
}
ORG_SCHEMA = schema("organizations", props=ORG_PROPS)
KINDS = {"RECORD", "SCHEMA", "STATE", "ACTIVATE_VERSION", "BATCH"}


def json_line(message: Any) -> bytes:
    return json.dumps(message).encode()


def org_line(name: str, **extra: Any) -> bytes:
    return json_line(record("organizations", {**org_record(name), **extra}))


def run_bytes(config: dict, data: bytes) -> TargetLexful:
    """The target in this process, reading ``data`` through a byte buffer, as from stdin."""
    target = TargetLexful(config=config)
    with contextlib.redirect_stdout(io.StringIO()):
        target.listen(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return target


def org_names(client: Any, prefix: str) -> Counter[str]:
    orgs = list_all(client, contract.organizations_path())
    return Counter(o["name"] for o in orgs if o["name"].startswith(prefix))


def run_between_good(empty_account: dict, client: Any, tmp: Path, bad: bytes) -> list[dict]:
    """Good, bad, good: both good organizations are written once; returns the rejects."""
    prefix = f"Good-{uuid.uuid4().hex[:8]}"
    data = b"\n".join(
        [json_line(ORG_SCHEMA), org_line(f"{prefix}-1"), bad, org_line(f"{prefix}-2")]
    )
    run_bytes(target_config(empty_account, tmp), data + b"\n")
    assert org_names(client, prefix) == {f"{prefix}-1": 1, f"{prefix}-2": 1}
    return read_rejects(tmp)


def one_reject(rejects: list[dict], stream: str | None, reason: str) -> dict:
    assert len(rejects) == 1, rejects
    (reject,) = rejects
    assert reject["stream"] == stream
    assert reason in reject["error"]
    assert "\n" not in reject["error"]
    return reject


# -- one test per case seen ----------------------------------------------------------------------


def deep(depth: int, *, as_dict: bool) -> bytes:
    """``[[[1]]]`` or ``{"a":{"a":1}}``, ``depth`` levels, as bytes (json.dumps would recurse)."""
    if as_dict:
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth + b"1" + b"]" * depth


def org_holding(raw: bytes) -> bytes:
    """A good organization's line with a field ``x`` holding ``raw`` JSON as it is."""
    return org_line("Never", x="RAW").replace(b'"RAW"', raw)
