"""A timestamp conversion has one name and one meaning in both APIs' contracts (issue 27):
``format_timestamp`` turns a moment into the API's text form, ``reformat_timestamp`` rewrites
timestamp text of any ISO-8601 form into it. Both APIs write ``2026-03-01T10:30:00.000Z``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import tap_lightfield.client
from lexful_api import contract as lexful
from lightfield_api import contract as lightfield

CONTRACTS = [lexful, lightfield]
MOMENT = datetime(2026, 3, 1, 10, 30, 0, 123456, tzinfo=timezone.utc)


@pytest.mark.parametrize("contract", CONTRACTS, ids=["lexful", "lightfield"])
def test_format_timestamp_turns_a_moment_into_the_apis_form(contract: object) -> None:
    assert contract.format_timestamp(MOMENT) == "2026-03-01T10:30:00.123Z"
    east = MOMENT.astimezone(timezone(timedelta(hours=2)))
    assert contract.format_timestamp(east) == "2026-03-01T10:30:00.123Z"


@pytest.mark.parametrize("contract", CONTRACTS, ids=["lexful", "lightfield"])
@pytest.mark.parametrize(
    ("text", "api_form"),
    [
        ("2026-03-01T10:30:00.123Z", "2026-03-01T10:30:00.123Z"),
        ("2026-03-01T10:30:00Z", "2026-03-01T10:30:00.000Z"),
        ("2026-03-01T12:30:00.123456+02:00", "2026-03-01T10:30:00.123Z"),
        ("2026-03-01T10:30:00", "2026-03-01T10:30:00.000Z"),  # no offset: UTC
    ],
)
def test_reformat_timestamp_rewrites_text_in_the_apis_form(
    contract: object, text: str, api_form: str
) -> None:
    assert contract.reformat_timestamp(text) == api_form


def test_no_api_timestamp_name_is_left() -> None:
    """The old name meant a str -> str rewrite in one package and datetime -> str in another."""
    for module in (lexful, lightfield, tap_lightfield.client):
        assert not hasattr(module, "api_timestamp"), module.__name__
