"""``record_errors_from``: the write pool's one question for both targets, offline. An API's
HTTP error with a rejectable status is about one record; anything else is about the run."""

from __future__ import annotations

import pytest

from connector_core.target import RecordError, record_errors_from
from lexful_api import LexfulHTTPError
from lightfield_api.errors import LightfieldHTTPError

API_ERRORS = [LexfulHTTPError, LightfieldHTTPError]


@pytest.mark.parametrize("api_error", API_ERRORS)
@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_a_rejectable_answer_is_the_records_error(api_error: type, status: int) -> None:
    error = record_errors_from(api_error)(api_error(status, "name is taken", "POST", "/v1/x"))
    assert isinstance(error, RecordError)
    assert (error.message, error.status) == ("name is taken", status)


@pytest.mark.parametrize("api_error", API_ERRORS)
@pytest.mark.parametrize("status", [401, 403, 408, 429, 500, 503])
def test_an_answer_about_the_run_is_no_records_error(api_error: type, status: int) -> None:
    exc = api_error(status, "no", "POST", "/v1/x")
    assert record_errors_from(api_error)(exc) is None


def test_only_the_apis_own_error_counts() -> None:
    lexful = record_errors_from(LexfulHTTPError)
    assert lexful(LightfieldHTTPError(422, "bad", "POST", "/v1/x")) is None
    assert lexful(ValueError("a bug, not an answer")) is None
    assert record_errors_from(LightfieldHTTPError)(LexfulHTTPError(422, "bad", "POST", "/")) is None
