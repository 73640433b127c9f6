"""The list envelope, limit/offset, ``$field`` filters, and offset paging over changing data."""

from __future__ import annotations

from tests.lightfield.sandbox.conftest import Api, account, assert_error


def test_envelope_and_limits(demo: Api) -> None:
    body = demo.ok(demo.get("/accounts"))
    assert set(body) == {"data", "object", "totalCount"}
    assert body["object"] == "list"
    assert body["totalCount"] == len(body["data"]) == 8
    assert len(demo.ids("/accounts", limit=1)) == 1
    assert len(demo.ids("/accounts", limit=25)) == 8
    for bad in ("26", "0", "-1", "x", "1.5"):
        assert_error(demo.get("/accounts", params={"limit": bad}), 400, "invalid_value", "limit")
    assert_error(demo.get("/accounts", params={"offset": "-1"}), 400, "invalid_value", "offset")


def test_offset_walk_is_newest_first_and_complete(api: Api) -> None:
    made = [account(api, f"N{i}")["id"] for i in range(7)]
    walked = api.ids("/accounts", limit=3) + api.ids("/accounts", limit=3, offset=3)
    walked += api.ids("/accounts", limit=3, offset=6)
    assert walked == made[::-1]


def test_offset_paging_shifts_when_records_are_created(api: Api) -> None:
    for i in range(6):
        account(api, f"Old{i}")
    first = api.ids("/accounts", limit=3)
    account(api, "Newcomer")  # newest first: it pushes every record one place down
    second = api.ids("/accounts", limit=3, offset=3)
    assert second[0] == first[-1]  # seen twice
    assert api.ok(api.get("/accounts"))["totalCount"] == 7


def test_filters(api: Api) -> None:
    account(api, "Alpha", **{"$employees": 10, "$website": ["https://alpha.example"]})
    account(api, "Beta", **{"$employees": 50, "$industry": "Retail"})
    account(api, "Alphabet", **{"$employees": 500})

    def names(**params: str) -> list[str]:
        data = api.ok(api.get("/accounts", params=params))["data"]
        return sorted(d["fields"]["$name"]["value"] for d in data)

    assert names(**{"$name": "Alpha"}) == ["Alpha"]
    assert names(**{"$name[startsWith]": "alp"}) == ["Alpha", "Alphabet"]
    assert names(**{"$name[-startsWith]": "alp"}) == ["Beta"]
    assert names(**{"$employees[greaterThan]": "10"}) == ["Alphabet", "Beta"]
    assert names(**{"$employees[lessThanOrEqual]": "50", "$name[startsWith]": "A"}) == ["Alpha"]
    assert names(**{"$website": "alpha"}) == ["Alpha"]  # URL: contains by default
    assert names(**{"$industry": "Retail"}) == ["Beta"]
    assert api.ok(api.get("/accounts", params={"$name[startsWith]": "A"}))["totalCount"] == 2


def test_filter_errors(demo: Api) -> None:
    assert_error(demo.get("/accounts", params={"$nope": "x"}), 400, "unknown_field", "$nope")
    assert_error(demo.get("/accounts", params={"color": "x"}), 400, "unknown_field", "color")
    assert_error(
        demo.get("/accounts", params={"$website[equal]": "x"}),
        400,
        "invalid_filter",
        "$website[equal]",
    )
    assert_error(demo.get("/accounts", params={"$tags": "SMB"}), 400, "invalid_filter", "$tags")
    assert_error(
        demo.get("/accounts", params={"$employees[greaterThan]": "many"}),
        400,
        "invalid_filter",
        "$employees[greaterThan]",
    )
