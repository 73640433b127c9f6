"""airbyte-cdk's standard FAST tests, in-process, against the sandbox, offline.

Source: spec (and its secret lint), config matches spec, check with a valid config and with a
wrong key, a wrong account and an unreachable API, discover (with the catalog checks, those
that only warn made errors here), basic read (every stream returns records, every record
matches its schema) and a read with a bad catalog. Destination: check valid and invalid,
config matches spec, and the spec lint the source suite runs.

The suites take their scenarios from an ``acceptance-test-config.yml`` next to a connector's
code; the sandbox's URL and keys exist only once it runs, so ``get_scenarios`` declares the
same scenarios in code and a fixture writes their configs into the suite's root directory.
The suites' Docker image tests are left out: no image is provided (see the README).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from airbyte_cdk.test.standard_tests import (
    ConnectorTestScenario,
    DestinationTestSuiteBase,
    SourceTestSuiteBase,
)
from airbyte_cdk.test.standard_tests._job_runner import run_test_job
from airbyte_cdk.test.standard_tests._spec_lint import (
    assert_spec_is_valid,
    get_single_spec,
)

from airbyte_lexful.destination import DestinationLexful
from airbyte_lexful.source import SourceLexful
from lexful_sandbox import Sandbox
from tests.lexful.airbyte.helpers import write_json

CHECKED_ONLY = ("connection",)
# The command each test of the suites runs for its scenario.
TEST_COMMANDS = {
    "test_check": "check",
    "test_config_matches_spec": "spec",
    "test_discover": "discover",
    "test_basic_read": "read",
    "test_fail_read_with_bad_catalog": "read",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test of a suite, once per scenario that runs its command.

    The CDK's hook (``pytest_hooks``) hands every scenario to every test, which skips those
    that do not run its command; this one leaves them out, so a run shows no skip.
    """
    if "scenario" not in metafunc.fixturenames or metafunc.cls is None:
        return
    command = TEST_COMMANDS.get(metafunc.function.__name__)
    scenarios = [s for s in metafunc.cls.get_scenarios() if command is None or s.runs(command)]
    metafunc.parametrize("scenario", scenarios, ids=[s.id for s in scenarios])


def scenario(name: str, sections: tuple[str, ...], status: str) -> ConnectorTestScenario:
    return ConnectorTestScenario(config_path=Path(f"{name}.json"), sections=sections, status=status)


def configs(sandbox: Sandbox, extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The scenarios' configs: a valid one and three a check must refuse, each for a reason."""
    valid = sandbox.config | extra
    other_account = sandbox.new_account()["account_id"]
    return {
        "valid": valid,
        "wrong_key": valid | {"api_key_secret": "lxs_not-the-secret"},
        "wrong_account": valid | {"account_id": other_account},
        # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        "unreachable": valid | {"api_url": "http://127.0.0.1:9", "max_tries": 1},
    }


class Scenarios:
    """The scenarios, and a suite root the configs are written to once the sandbox runs."""

    root: ClassVar[Path | None] = None
    extra: ClassVar[dict[str, Any]] = {}
    valid_sections: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        assert cls.root is not None, "the configs fixture writes the root first"
        return cls.root

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        refused = [scenario(n, CHECKED_ONLY, "failed") for n in ("wrong_key", "wrong_account")]
        return [
            scenario("valid", cls.valid_sections, "succeed"),
            *refused,
            scenario("unreachable", CHECKED_ONLY, "failed"),
        ]

    # Docker image tests: no image is provided, so there is none to build or run.
    test_docker_image_build_and_spec = None
    test_docker_image_spec_backward_compatibility = None
    test_docker_image_build_and_check = None
    test_docker_image_build_and_config_matches_spec = None
    test_docker_image_build_and_discover = None
    test_docker_image_build_and_read = None


@pytest.fixture(scope="class", autouse=True)
def scenario_configs(
    request: pytest.FixtureRequest, airbyte_demo: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    suite = request.cls
    root = tmp_path_factory.mktemp(suite.__name__)
    for name, config in configs(airbyte_demo, suite.extra).items():
        write_json(root / f"{name}.json", config)
    suite.root = root


@pytest.mark.filterwarnings("error::airbyte_cdk.test.standard_tests.DiscoveredCatalogWarning")
class TestSourceLexful(Scenarios, SourceTestSuiteBase):  # type: ignore[misc]
    """The source suite: every FAST test, the catalog warnings made errors."""

    connector = SourceLexful
    valid_sections = ("spec", "connection", "discovery", "basic_read")


class TestDestinationLexful(Scenarios, DestinationTestSuiteBase):  # type: ignore[misc]
    """The destination suite (check, config matches spec), and the spec lint of sources."""

    connector = DestinationLexful
    valid_sections = ("spec", "connection")
    extra: ClassVar[dict[str, Any]] = {"create_asset_types": True}

    def test_spec(self) -> None:
        result = run_test_job(
            self.create_connector(scenario=None),
            "spec",
            connector_root=self.get_connector_root_dir(),
        )
        spec = get_single_spec(result, connector_name="destination-lexful")
        assert_spec_is_valid(spec, connector_name="destination-lexful")
