"""Bad input is the client's fault: 400 (401/403/409 where the contract says), never a 500."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests

from lexful_sandbox import Sandbox
from lexful_sandbox.seed.data import network_device_type
from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org

DEVICES = "/assets/network_device"
INT64_MAX = 2**63 - 1
# Values no 64-bit integer or finite double can hold, or that are not plain decimal numbers.
BAD_INTEGERS = [
    "1e300",
    "10^30",
    str(INT64_MAX + 1),
    str(-(2**63) - 1),
    "1" + "0" * 30,
    "1" * 5000,
    "1e400",
    "inf",
    "nan",
    "1_0",
    "\uff11\uff10",  # fullwidth "10": int() takes it, the contract's decimal numbers do not
]
BAD_NUMBERS = ["1e400", "-1e400", "inf", "-Infinity", "nan", "1_0", "10^30", "1" * 5000]
EXTREME_TIMES = [
    "0001-01-01T00:00:00+14:00",  # UTC is the day before year 1
    "9999-12-31T23:59:59-14:00",  # UTC is after year 9999
    "9999-12-31T23:00:00-01:00",
    "0001-01-01T00:00:00.000+00:01",
]
PDF = {
    "name": "doc",
    "original_name": "doc.pdf",
    "file_extension": "pdf",
    "mime_type": "application/pdf",
}


@pytest.fixture(scope="module")
def devices(demo_sandbox: Sandbox) -> tuple[Api, dict[str, Any]]:
    """An account with the network_device type and one device at the limits of each kind."""
    api = Api(demo_sandbox.new_account())
    assert api.post("/asset_types", network_device_type()).status_code == 201
    org = make_org(api)
    body = {
        "organization_id": org["id"],
        "name": "edge",
        "port_count": INT64_MAX,
        "throughput_gbps": 1e300,
        "purchase_date": "0001-01-01",
        "last_seen_at": "9999-12-31T23:59:59.999Z",
    }
    answer = api.post(DEVICES, body)
    assert answer.status_code == 201, answer.text
    return api, {"org": org, "device": answer.json()}


def _file_list(api: Api, org: dict[str, Any]) -> str:
    return f"/assets/system.contact/{make_contact(api, org['id'])['id']}/files"


# --- numbers in list filters ---------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_INTEGERS)
@pytest.mark.parametrize("key", ["port_count[gte]", "port_count", "port_count[in]"])
def test_out_of_range_integer_filters_are_400(devices, key: str, value: str) -> None:
    api, _ = devices
    assert_error(api.get(DEVICES, params={key: value}), 400, "port_count")


@pytest.mark.parametrize("value", BAD_INTEGERS)
def test_out_of_range_integer_filters_on_every_list_are_400(devices, value: str) -> None:
    """The same parse serves the fixed integer fields of asset types, files and links."""
    api, context = devices
    device = context["device"]["id"]
    files = _file_list(api, context["org"])
    assert_error(api.get("/asset_types", params={"version[gte]": value}), 400, "version")
    assert_error(api.get(files, params={"size[gte]": value}), 400, "size")
    related = f"{DEVICES}/{device}/related"
    assert_error(api.get(related, params={"id[lt]": value}), 400, "id")


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_non_finite_number_filters_are_400(devices, value: str) -> None:
    api, _ = devices
    assert_error(api.get(DEVICES, params={"throughput_gbps[lt]": value}), 400, "throughput_gbps")


def test_a_long_bad_number_is_refused(devices) -> None:
    """20,000 digits and a stray letter (a backtracking number pattern once took 6 s on it)."""
    api, _ = devices
    answer = api.get(DEVICES, params={"port_count[gte]": "1" * 20_000 + "x"})
    assert_error(answer, 400, "expected a number")


def test_filters_at_the_edges_of_the_ranges_still_match(devices) -> None:
    api, context = devices
    edge = context["device"]["id"]

    def ids(**params: str) -> list[str]:
        return [d["id"] for d in api.items(DEVICES, **params)]

    assert ids(**{"port_count[gte]": str(INT64_MAX)}) == [edge]
    assert ids(**{"port_count[gt]": str(INT64_MAX - 1)}) == [edge]
    assert ids(**{"port_count[lte]": str(-(2**63))}) == []
    # A number field is a double: 1e300 is an ordinary value there, and 1e301 is above it.
    assert ids(**{"throughput_gbps[gte]": "1e300", "throughput_gbps[lt]": "1e301"}) == [edge]
    assert ids(**{"port_count[in]": f"1,{INT64_MAX}"}) == [edge]


# --- dates in list filters and bodies -------------------------------------------------------


@pytest.mark.parametrize("value", EXTREME_TIMES)
@pytest.mark.parametrize("key", ["created_at[gte]", "created_at[in]", "last_seen_at[lt]"])
def test_dates_out_of_range_in_utc_are_400_in_filters(devices, key: str, value: str) -> None:
    api, _ = devices
    assert_error(api.get(DEVICES, params={key: value}), 400, key.partition("[")[0])


@pytest.mark.parametrize("value", EXTREME_TIMES)
def test_dates_out_of_range_in_utc_are_400_on_date_fields(devices, value: str) -> None:
    """A date filter given as a date-time is converted to UTC first, so it overflows too."""
    api, _ = devices
    answer = api.get(DEVICES, params={"purchase_date[gte]": value})
    assert_error(answer, 400, "purchase_date")
    assert_error(api.get("/organizations", params={"updated_at[lte]": value}), 400, "updated_at")


@pytest.mark.parametrize("value", EXTREME_TIMES)
@pytest.mark.parametrize("name", ["last_seen_at", "purchase_date"])
def test_dates_out_of_range_in_utc_are_400_in_bodies(devices, name: str, value: str) -> None:
    api, context = devices
    body = {"organization_id": context["org"]["id"], "name": "late", name: value}
    assert_error(api.post(DEVICES, body), 400, name)
    patch = api.patch(f"{DEVICES}/{context['device']['id']}", {name: value})
    assert_error(patch, 400, name)


def test_the_first_and_last_moments_in_utc_are_accepted(devices) -> None:
    api, context = devices
    device = context["device"]
    assert device["purchase_date"] == "0001-01-01"
    assert device["last_seen_at"] == "9999-12-31T23:59:59.999Z"
    first = {"last_seen_at[gte]": "9999-12-31T23:59:59.999Z", "purchase_date[lte]": "0001-01-01"}
    assert [d["id"] for d in api.items(DEVICES, **first)] == [device["id"]]


def test_years_before_1000_keep_four_digits_and_sort_first(devices) -> None:
    """Stored date-times compare as text: year 999 must read 0999, not 999 (after 2024)."""
    api, context = devices
    body = {
        "organization_id": context["org"]["id"],
        "name": "ancient",
        "last_seen_at": "0999-06-01T12:00:00+02:00",
    }
    created = api.post(DEVICES, body)
    assert created.status_code == 201, created.text
    assert created.json()["last_seen_at"] == "0999-06-01T10:00:00.000Z"
    early = api.items(DEVICES, **{"last_seen_at[lt]": "1000-01-01"})
    assert [d["name"] for d in early] == ["ancient"]
    api.delete(f"{DEVICES}/{created.json()['id']}")


# --- numbers in bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [INT64_MAX + 1, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_in_bodies_are_400(devices, value: int) -> None:
    """Stored integers are compared by SQLite, whose integers are 64-bit."""
    api, context = devices
    base = {"organization_id": context["org"]["id"], "name": "big"}
    assert_error(api.post(DEVICES, {**base, "port_count": value}), 400, "port_count")
    nested = {**base, "interfaces": [{"name": "eth0", "speed_mbps": value}]}
    assert_error(api.post(DEVICES, nested), 400, "interfaces[0].speed_mbps")


def test_declared_file_size_is_capped_by_the_upload_limit(devices) -> None:
    """A file rule may allow more, but no upload over 100 MiB can ever complete."""
    api, context = devices
    file_type = {
        "name": "archive",
        "properties": [
            {"name": "name", "type": "string"},
            {"name": "blob", "type": "file", "file_rules": {"max_size": 10**30}},
        ],
    }
    assert api.post("/asset_types", file_type).status_code == 201
    asset = api.post("/assets/archive", {"organization_id": context["org"]["id"], "name": "a"})
    base = f"/assets/archive/{asset.json()['id']}/files"
    body = {**PDF, "property_name": "blob"}
    for size in (2**70, 100 * 1024 * 1024 + 1):
        assert_error(api.post(base, {**body, "size": size}), 400, "size")
    assert api.post(base, {**body, "size": 100 * 1024 * 1024}).status_code == 201


# --- paging parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("offset", str(INT64_MAX + 1)),
        ("offset", "9" * 40),
        ("offset", "1" * 5000),
        ("offset", "1_0"),
        ("offset", "\uff11\uff10"),
        ("limit", "1_0"),
        ("limit", "\uff11\uff10"),
        ("limit", "1e2"),
    ],
)
def test_limit_and_offset_must_be_plain_in_range_integers(devices, key: str, value: str) -> None:
    api, _ = devices
    assert_error(api.get(DEVICES, params={key: value}), 400, key)


def test_the_largest_offset_is_an_empty_page(devices) -> None:
    api, _ = devices
    page = api.get(DEVICES, params={"offset": str(INT64_MAX)}).json()
    assert (page["items"], page["offset"]) == ([], INT64_MAX)
    assert page["total"] >= 1


# --- query size: SQLite's limits on expression depth, bound values and sort terms -----------


def test_more_than_100_filters_is_400(devices) -> None:
    """Each filter is one ANDed condition; SQLite refuses trees deeper than 1000 (a 500)."""
    api, _ = devices
    ok = "&".join(f"name[ne]=x{i}" for i in range(100))
    assert api.get(f"{DEVICES}?{ok}").json()["total"] >= 1
    too_many = "&".join(f"name[ne]=x{i}" for i in range(101))
    assert_error(api.get(f"{DEVICES}?{too_many}"), 400, "at most 100 filters")


def test_in_lists_hold_at_most_1000_values(devices) -> None:
    api, context = devices
    device = context["device"]["id"]
    ids = ["018bd87e-d47d-7001-a9b3-b30678e51061"] * 999 + [device]
    found = api.get(DEVICES, params={"id[in]": ",".join(ids)}).json()["items"]
    assert [d["id"] for d in found] == [device]
    assert_error(api.get(DEVICES, params={"id[in]": ",".join([*ids, "x"])}), 400, "1000 values")
    assert_error(api.get(DEVICES, params={"vlans[nin]": ",".join(["v"] * 1001)}), 400, "vlans")


def test_more_than_10000_filter_values_is_400(devices) -> None:
    """SQLite binds at most 32,766 values in one statement; past that it answered a 500."""
    api, _ = devices
    values = ",".join(["a"] * 1000)
    query = "&".join(f"name[nin]={values}" for _ in range(11))
    assert_error(api.get(f"{DEVICES}?{query}"), 400, "10000 filter values")


def test_sort_fields_count_once_and_at_most_32(devices) -> None:
    """SQLite sorts by at most 2000 terms: a repeated field is dropped, 33 distinct are 400."""
    api, context = devices
    wide = {"name": "wide", "properties": [{"name": f"p{i}", "type": "string"} for i in range(40)]}
    assert api.post("/asset_types", wide).status_code == 201
    for value in ("b", "c", "a"):
        body = {"organization_id": context["org"]["id"], "p0": value, "p1": "z"}
        assert api.post("/assets/wide", body).status_code == 201
    repeated = ",".join(["p0", "p1"] * 1500)
    found = api.items("/assets/wide", sort=repeated, order="DESC")
    assert [a["p0"] for a in found] == ["c", "b", "a"]
    fields = [f"p{i}" for i in range(33)]
    assert len(api.items("/assets/wide", sort=",".join(fields[:32]))) == 3
    assert_error(api.get("/assets/wide", params={"sort": ",".join(fields)}), 400, "32 sort")


# --- headers: tokens, account ids, presigned signatures --------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tökén".encode(),
        "Bearer lxt.a.tökén".encode(),
        "Bearer lxt.tökén.0123".encode(),
        b"Bearer lxt.a.\xff",
        b"Bearer \xff\xfe",
    ],
)
def test_non_ascii_bearer_tokens_are_401(demo_api: Api, header: bytes) -> None:
    answer = requests.get(
        demo_api.url + "/v1/organizations",
        headers={"Authorization": header, "X-Account-ID": demo_api.account_id},
        timeout=10,
    )
    body = assert_error(answer, 401, "token")
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert body["error_code"] == "UNAUTHORIZED"


def test_non_ascii_account_header_is_403(demo_api: Api) -> None:
    headers = {"Authorization": f"Bearer {demo_api.token}", "X-Account-ID": "äccount".encode()}
    answer = requests.get(demo_api.url + "/v1/organizations", headers=headers, timeout=10)
    assert_error(answer, 403, "X-Account-ID")
    token = requests.post(
        demo_api.url + "/v1/auth/token",
        headers={"X-Account-ID": "äccount".encode()},
        json={"id": "kéy", "secret": "sécret"},
        timeout=10,
    )
    assert_error(token, 401, "invalid API key")


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    pairs = dict(p.split("=", 1) for p in parts.query.split("&"))
    pairs.update({k: quote(v) for k, v in changes.items()})
    query = "&".join(f"{k}={v}" for k, v in pairs.items())
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{query}"


def test_non_ascii_presigned_signature_is_403(devices) -> None:
    api, context = devices
    created = api.post(_file_list(api, context["org"]), {**PDF, "size": 3}).json()
    bad = _with_query(created["presignedUploadUrl"], **{"X-Signature": "sïgnature"})
    answer = requests.put(bad, data=b"abc", headers={"Content-Type": "application/pdf"}, timeout=10)
    assert_error(answer, 403, "signature")


# --- presigned uploads after complete --------------------------------------------------------


def _put(url: str, data: bytes) -> requests.Response:
    return requests.put(url, data=data, headers={"Content-Type": "application/pdf"}, timeout=10)


def test_upload_after_complete_is_409_and_keeps_the_bytes(devices) -> None:
    api, context = devices
    base = _file_list(api, context["org"])
    created = api.post(base, {**PDF, "size": 3}).json()
    record, url = created["file"], created["presignedUploadUrl"]
    assert _put(url, b"abc").status_code == 200
    assert api.post(f"{base}/{record['id']}/complete").status_code == 200
    assert_error(_put(url, b"xyz"), 409, "completed")
    link = api.get(f"{base}/{record['id']}/download").json()["url"]
    assert requests.get(link, timeout=10).content == b"abc"
    assert api.get(f"{base}/{record['id']}/download").status_code == 200


def test_upload_to_a_deleted_file_is_404(devices) -> None:
    api, context = devices
    base = _file_list(api, context["org"])
    created = api.post(base, {**PDF, "size": 3}).json()
    assert api.delete(f"{base}/{created['file']['id']}").status_code == 204
    assert_error(_put(created["presignedUploadUrl"], b"abc"), 404, "not found")


# --- the safety net ---------------------------------------------------------------------------


def test_an_unexpected_error_is_a_500_body_and_keeps_the_connection(demo_sandbox: Sandbox) -> None:
    """A corrupt stored record is not the client's fault: 500 in the contract's shape, and the
    keep-alive connection stays usable (Starlette re-raises after its handler answered)."""
    api = Api(demo_sandbox.new_account())
    org = make_org(api)
    demo_sandbox.store.execute(
        "UPDATE organizations SET doc = 'not json' WHERE id = ?", (org["id"],)
    )
    host = urlsplit(api.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    headers = {"Authorization": f"Bearer {api.token}", "X-Account-ID": api.account_id}
    try:
        conn.request("GET", f"/v1/organizations/{org['id']}", headers=headers)
        broken = conn.getresponse()
        body = broken.read()
        assert broken.status == 500, body
        assert json.loads(body)["error_code"] == "INTERNAL_SERVER_ERROR"
        conn.request("GET", "/v1/organization_types", headers=headers)
        after = conn.getresponse()
        assert after.status == 200
        assert len(after.read()) > 0
    finally:
        conn.close()
