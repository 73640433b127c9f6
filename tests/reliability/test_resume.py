"""Kill the target anywhere, resume from its last STATE: the copy equals the source.

Each case copies the demo account with `tap-lexful | target-lexful`, interrupts the target at
a chosen request (SIGKILL, SIGTERM, SIGINT, or a 503 outage that outlasts max_tries), checks the
interrupted run failed, then runs the pipe again with the tap started from the last STATE the
target printed, as `meltano run` does. The copy must then equal the source field by field,
and every record the target could not write must be rejected once, with its reason.
"""

from __future__ import annotations

import re
import signal
from collections import Counter
from pathlib import Path

import pytest

from lexful_api.contract import users_path
from lexful_sandbox import Sandbox
from tests.e2e.account import Snapshot, snapshot
from tests.e2e.test_round_trip import assert_same_account, rejected
from tests.lexful.client import client_for, list_all
from tests.reliability.harness import Interrupt, pipe

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def _any_write(method: str, path: str) -> bool:
    return method in WRITES and not path.endswith("/auth/token")


def _org_create(method: str, path: str) -> bool:
    return method == "POST" and path == "/v1/organizations"


def _asset_create(method: str, path: str) -> bool:
    return method == "POST" and re.fullmatch(r"/v1/assets/[^/]+", path) is not None


def _file_complete(method: str, path: str) -> bool:
    return method == "POST" and path.endswith("/complete")


def _file_create(method: str, path: str) -> bool:
    return method == "POST" and path.endswith("/files")


def _link(method: str, path: str) -> bool:
    return method == "PUT" and path.endswith("/related")


CASES = {
    "sigkill-early": Interrupt(_any_write, nth=1),
    "sigkill-mid-organizations": Interrupt(_org_create, nth=2),
    "sigkill-mid-assets": Interrupt(_asset_create, nth=150),
    "sigkill-mid-links": Interrupt(_link, nth=5),
    "sigkill-mid-files-before-upload": Interrupt(_file_create, nth=3),
    "sigkill-mid-files-after-complete": Interrupt(_file_complete, nth=4),
    "sigterm-mid-assets": Interrupt(_asset_create, nth=260, signum=signal.SIGTERM),
    "sigint-mid-assets": Interrupt(_asset_create, nth=80, signum=signal.SIGINT),
    "outage-mid-assets": Interrupt(_asset_create, nth=200, fail_from_then_on=True),
}


@pytest.fixture(scope="module")
def source(demo_sandbox: Sandbox) -> Snapshot:
    return snapshot(demo_sandbox.config)


@pytest.mark.parametrize("case", list(CASES))
def test_interrupted_copy_resumes_to_an_equal_account(
    case: str,
    demo_sandbox: Sandbox,
    empty_account: dict[str, str],
    source: Snapshot,
    tmp_path: Path,
) -> None:
    interrupt = CASES[case]
    rejects = tmp_path / "rejects.jsonl"
    target_config = empty_account | {
        "create_asset_types": True,
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(rejects),
        "batch_size_rows": 40,
        "max_tries": 2,
        "backoff_base_seconds": 0,
    }
    tap_config = demo_sandbox.config | {"files_content": "inline"}
    demo_sandbox.add_hook(interrupt)
    try:
        first = pipe(tmp_path, tap_config, target_config, interrupt=interrupt, name="first")
    finally:
        interrupt.armed = False  # the session's sandbox keeps its hooks: this one goes inert

    assert interrupt.fired, f"{case}: the pipe finished before the interrupt point"
    assert first.target_rc != 0, f"{case}: an interrupted run exited 0:\n{first.stderr[-2000:]}"
    resumed = pipe(
        tmp_path,
        tap_config,
        target_config,
        state=first.states[-1] if first.states else None,
        name="resumed",
    )
    assert resumed.target_rc == 0, resumed.stderr[-3000:]
    assert_same_account(source, snapshot(empty_account))
    users = len(list_all(client_for(demo_sandbox.config), users_path()))
    # Users the copy lacks are rejected naming create_users (the admin is in both accounts); a
    # never-completed upload is skipped.
    assert rejected(rejects) == Counter(users=users - 1)
