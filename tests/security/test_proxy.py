"""``proxy_url``: the only way a proxy is used, for API and presigned requests alike.

A recording proxy on loopback (``tests.security.proxy``) is the configured one; another, named
by ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``, must see nothing (the environment is never
read). Through the proxy an https request is a CONNECT tunnel: the proxy learns host and port,
and its own credentials (``Proxy-Authorization``), never the API key or the key secret.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from connector_core.settings import proxies
from lexful_api import LexfulClient
from lexful_api.errors import LexfulError
from lightfield_api.errors import LightfieldError
from lightfield_api.http import LightfieldClient
from lightfield_sandbox import running_sandbox as lightfield_sandbox
from tests.lexful.tap.helpers import sync, tap_config
from tests.lightfield.target import helpers as lightfield_target
from tests.security.proxy import RecordingProxy, recording_proxy
from tests.security.test_taps import account  # noqa: F401  (a fixture: one file to download)
from tests.security.test_targets import lightfield_lines

PROXY_USER, PROXY_PASSWORD = "proxy-user", "proxy-pass-7431"
SECRET = "lxs_proxy-test-key-secret"
LF_KEY = "sk_lf_proxy_test_key_5678"


@pytest.fixture
def env_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    """A proxy the environment names: the connectors must not use it."""
    with recording_proxy() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield proxy


def with_credentials(proxy: RecordingProxy) -> str:
    return proxy.url.replace("http://", f"http://{PROXY_USER}:{PROXY_PASSWORD}@")


def proxy_auth() -> str:
    return "Basic " + base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()


def test_tap_lexful_sends_api_and_presigned_requests_through_proxy_url(
    account: dict[str, Any],  # noqa: F811  (the fixture imported above)
    env_proxy: RecordingProxy,
) -> None:
    with recording_proxy() as proxy:
        config = tap_config(account, files_content="inline", proxy_url=with_credentials(proxy))
        files = sync(config).records("files")
    assert files[0]["content_base64"]  # the bytes came, through the proxy
    targets = proxy.targets()
    assert any(t.startswith("POST ") and t.endswith("/v1/auth/token") for t in targets)
    assert any("/v1/organizations" in t for t in targets)
    downloads = [t for t in proxy.seen if "/v1/" not in t.target]  # the presigned URL
    assert downloads
    for download in downloads:
        assert "Authorization" not in download.headers  # no API credentials on it
    for through in proxy.seen:
        assert through.headers.get("Proxy-Authorization") == proxy_auth()
    assert env_proxy.seen == []


def test_target_lightfield_uploads_through_proxy_url(
    tmp_path: Path, env_proxy: RecordingProxy
) -> None:
    with lightfield_sandbox(seed="demo") as sandbox, recording_proxy() as proxy:
        creds = sandbox.new_account()
        config = lightfield_target.target_config(creds, tmp_path, proxy_url=proxy.url)
        target, _ = lightfield_target.run_target(config, lightfield_lines())
    assert target.engine.stats.total("created") == 1
    methods = [t.split(" ")[0] for t in proxy.targets()]
    assert "POST" in methods  # the file's create
    uploads = [t for t in proxy.seen if t.method == "PUT"]  # the presigned upload
    assert uploads
    assert "Authorization" not in uploads[0].headers
    assert all("Proxy-Authorization" not in t.headers for t in proxy.seen)  # none configured
    assert env_proxy.seen == []


def test_https_through_the_proxy_is_a_tunnel_it_cannot_read(env_proxy: RecordingProxy) -> None:
    """The proxy gets CONNECT host:port and its own credentials; the key and the secret go
    only inside TLS (here the tunnel leads nowhere, so the request fails, and they never
    leave at all). The proxy's password is masked in the error."""
    with recording_proxy() as proxy:
        options = proxies(with_credentials(proxy))
        lightfield = LightfieldClient(
            api_url="https://api.lightfield.invalid", api_key=LF_KEY, max_tries=1, proxies=options
        )
        with pytest.raises(LightfieldError) as lf_error:
            lightfield.get_json("/v1/accounts")
        lexful = LexfulClient(
            api_url="https://api.lexful.invalid",
            account_id="acc",
            key_id="kid",
            key_secret=SECRET,
            max_tries=1,
            proxies=options,
        )
        with pytest.raises(LexfulError) as lx_error:
            lexful.get_json("/v1/organizations")
    assert proxy.targets() == [
        "CONNECT api.lightfield.invalid:443",
        "CONNECT api.lexful.invalid:443",
    ]
    received = proxy.all_received()
    for secret in (LF_KEY, SECRET, "kid"):
        assert secret.encode() not in received
    for through in proxy.seen:
        assert "Authorization" not in through.headers
        assert through.headers["Proxy-Authorization"] == proxy_auth()
    for error in (lf_error, lx_error):
        assert PROXY_PASSWORD not in str(error.value)
    assert env_proxy.seen == []


@pytest.mark.parametrize(
    "bad",
    [
        "socks5://127.0.0.1:1080",
        "http://proxy.example",
        "http://127.0.0.1:3128/path",
        "nope",
        "https://127.0.0.1:3128",  # documented as http://: an https proxy is refused
    ],
)
def test_a_bad_proxy_url_is_one_line_naming_it(bad: str) -> None:
    with pytest.raises(ConfigValidationError, match=r"^proxy_url: "):
        proxies(bad)
