"""Injected faults: latency, 5xx, 429 with Retry-After, dropped connections; hooks and stats."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.lexful.sandbox.conftest import Api, assert_error


def _timed_gets(api: Api, n: int) -> tuple[float, list[int]]:
    start = time.monotonic()
    with ThreadPoolExecutor(n) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    requests.get(
                        api.url + "/v1/organizations", headers=api.session.headers, timeout=10
                    ).status_code
                ),
                range(n),
            )
        )
    return time.monotonic() - start, statuses


def test_latency_overlaps_between_requests(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(latency_ms=300)
    start = time.monotonic()
    assert api.get("/organizations").status_code == 200
    assert time.monotonic() - start >= 0.3
    elapsed, statuses = _timed_gets(api, 6)
    assert statuses == [200] * 6
    assert 0.3 <= elapsed < 1.2  # six 300 ms waits overlap instead of adding up to 1.8 s


def test_jitter_adds_bounded_random_delay(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(latency_ms=20, jitter_ms=60)
    durations = []
    for _ in range(8):
        start = time.monotonic()
        api.get("/organizations")
        durations.append(time.monotonic() - start)
    assert min(durations) >= 0.02
    assert max(durations) < 0.5
    assert max(durations) - min(durations) > 0.005


def test_error_rate_all(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(error_rate=1.0)
    statuses = set()
    for _ in range(30):
        answer = api.get("/organizations")
        assert_error(answer, answer.status_code, "injected")
        statuses.add(answer.status_code)
    assert statuses == {500, 502, 503}
    token = requests.post(
        api.url + "/v1/auth/token", headers={"X-Account-ID": api.account_id}, json={}, timeout=10
    )
    assert token.status_code in (500, 502, 503)
    own_sandbox.set_faults(error_rate=0)
    assert api.get("/organizations").status_code == 200


def test_error_rate_share(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(error_rate=0.5)
    statuses = [api.get("/organizations").status_code for _ in range(60)]
    failures = sum(s >= 500 for s in statuses)
    assert 10 < failures < 50
    assert set(statuses) <= {200, 500, 502, 503}


def test_rate_limit_answers_429_with_retry_after(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(rate_limit=5)
    answers = [api.get("/organizations") for _ in range(15)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited
    assert sum(a.status_code == 200 for a in answers) <= 10  # at most two one-second windows
    retry = int(limited[0].headers["Retry-After"])
    assert 1 <= retry <= 2
    assert_error(limited[0], 429, "rate limit")
    time.sleep(retry)
    assert api.get("/organizations").status_code == 200


def test_dropped_connections(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    own_sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.get(api.url + "/v1/organizations", headers=api.session.headers, timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.post(api.url + "/v1/auth/token", json={}, timeout=5)
    assert own_sandbox.stats()["dropped"] == 2
    own_sandbox.set_faults(drop_rate=0)
    assert (
        requests.get(
            api.url + "/v1/organizations", headers=api.session.headers, timeout=5
        ).status_code
        == 200
    )


def test_presigned_urls_are_subject_to_faults(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    org = api.post("/organizations", {"name": "O", "type": "client", "status": "active"}).json()
    contact = api.post(
        "/assets/system.contact", {"organization_id": org["id"], "important": True}
    ).json()
    body = {
        "name": "a",
        "original_name": "a.txt",
        "file_extension": ".txt",
        "mime_type": "text/plain",
        "size": 1,
    }
    url = api.post(f"/assets/system.contact/{contact['id']}/files", body).json()[
        "presignedUploadUrl"
    ]
    own_sandbox.set_faults(error_rate=1.0)
    answer = requests.put(url, data=b"a", headers={"Content-Type": "text/plain"}, timeout=5)
    assert answer.status_code in (500, 502, 503)


def test_unknown_fault_name_is_rejected(own_sandbox) -> None:
    with pytest.raises(TypeError):
        own_sandbox.set_faults(explode=True)


def test_hooks_and_stats(own_sandbox) -> None:
    seen = []
    own_sandbox.add_hook(lambda method, path, query: seen.append((method, path, query)))
    api = Api(own_sandbox.config)
    api.get("/organizations?limit=5&name[like]=a%25")
    api.get("/nothing")
    assert ("GET", "/v1/organizations", {"limit": "5", "name[like]": "a%"}) in seen
    assert seen[0][:2] == ("POST", "/v1/auth/token")
    stats = own_sandbox.stats()
    assert stats["requests"] == 3
    assert stats["by_status"] == {200: 2, 404: 1}


def test_failing_hook_answers_500(own_sandbox) -> None:
    def broken(method, path, query):
        if path == "/v1/organizations":
            raise RuntimeError("boom")

    own_sandbox.add_hook(broken)
    api = Api(own_sandbox.config)
    assert_error(api.get("/organizations"), 500, "boom")
    assert api.get("/users").status_code == 200
