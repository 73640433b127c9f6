"""``connector_core.stops``: a plugin's declared ``known_failures`` end a command in one
ERROR line (scrubbed) and exit 1; any other exception keeps its traceback."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from singer_sdk import typing as th
from singer_sdk.streams import Stream

from connector_core import OneLineStopTap, scrub


class KnownFailure(Exception):
    """What the API's client raises when the API cannot be read as things are."""


class Unknown(Exception):
    """A bug: not declared."""


class FailingTap(OneLineStopTap):
    name = "tap-failing"
    config_jsonschema = th.PropertiesList(th.Property("fail", th.StringType)).to_dict()
    known_failures = (KnownFailure,)

    def discover_streams(self) -> list[Stream]:
        if self.config.get("fail") == "known":
            msg = "GET /v1/x failed after 1 tries: ConnectionError (secret-stops-x)"
            raise KnownFailure(msg)
        msg = "a bug"
        raise Unknown(msg)


def _invoke(fail: str, *flags: str, tmp_path: Any) -> Any:
    config = tmp_path / "config.json"
    config.write_text(f'{{"fail": "{fail}"}}')
    return CliRunner().invoke(FailingTap.cli, ["--config", str(config), *flags])


def test_a_known_failure_is_one_scrubbed_line_and_exit_1(tmp_path: Any, caplog: Any) -> None:
    scrub.register("secret-stops-x")
    for flags in ((), ("--discover",)):
        caplog.clear()
        result = _invoke("known", *flags, tmp_path=tmp_path)
        assert result.exit_code == 1
        assert not isinstance(result.exception, KnownFailure)
        errors = [r for r in caplog.records if r.levelname == "ERROR"]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        line = errors[0].getMessage()
        assert line.startswith("GET /v1/x failed after 1 tries: ConnectionError")
        assert "secret-stops-x" not in line
        assert errors[0].exc_info is None  # no traceback


def test_an_unknown_exception_keeps_its_traceback(tmp_path: Any) -> None:
    result = _invoke("unknown", tmp_path=tmp_path)
    assert result.exit_code == 1
    assert isinstance(result.exception, Unknown)
    assert result.exc_info is not None
