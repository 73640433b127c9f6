"""The SDK's standard target tests on target-lightfield, against the sandbox over real HTTP.

Their streams (test_array_data, TestCamelcase, ...) name no Lightfield collection, so every
record is rejected with that reason: what these tests check is that no input shape kills the
run. The suites are target-lexful's (tests/lexful/target/test_sdk_suite.py), with the same
split: the three inputs the SDK expects an exception for raise it with on_record_error=fail.
Left out, as for target-lexful: TargetMultipleStateMessages (STATE follows our own drain points).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from singer_sdk.testing import get_target_test_class

from lightfield_sandbox import Sandbox
from target_lightfield.target import TargetLightfield
from tests.lexful.target.test_sdk_suite import fail_suite, reject_suite

REJECT_CONFIG: dict[str, Any] = {}
FAIL_CONFIG: dict[str, Any] = {}


def _prepare(config: dict[str, Any], sandbox: Sandbox, tmp: Path, **extra: Any) -> None:
    config.clear()
    config.update(
        sandbox.new_account(),
        id_map_path=str(tmp / "id-map.sqlite"),
        rejects_path=str(tmp / "rejects.jsonl"),
        **extra,
    )


class TestLightfieldStandardTargetSuite(
    get_target_test_class(
        TargetLightfield,
        config=REJECT_CONFIG,
        custom_suites=[reject_suite],
        include_target_tests=False,
    )
):
    @pytest.fixture
    def resource(self, demo_sandbox: Sandbox, tmp_path: Path) -> Any:
        _prepare(REJECT_CONFIG, demo_sandbox, tmp_path)
        return tmp_path


class TestLightfieldStandardTargetSuiteFailMode(
    get_target_test_class(
        TargetLightfield, config=FAIL_CONFIG, custom_suites=[fail_suite], include_target_tests=False
    )
):
    @pytest.fixture
    def resource(self, demo_sandbox: Sandbox, tmp_path: Path) -> Any:
        _prepare(FAIL_CONFIG, demo_sandbox, tmp_path, on_record_error="fail")
        return tmp_path
