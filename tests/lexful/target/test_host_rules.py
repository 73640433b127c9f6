"""allowed_download_hosts: how a host entry is read, and what a wildcard covers (offline)."""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import ConfigValidationError

from connector_core.target.file_sources import (
    FileSources,
    HostRule,
    SourceRefused,
    parse_host_rule,
    refuse_non_public,
)
from target_lexful.target import TargetLexful
from tests.lexful.target.helpers import target_config


def test_host_entries_are_parsed_or_refused() -> None:
    assert parse_host_rule("Files.Example.com") == HostRule("files.example.com")
    assert parse_host_rule("127.0.0.1:8080") == HostRule("127.0.0.1", 8080)
    assert parse_host_rule("[::1]:9000") == HostRule("::1", 9000)
    assert parse_host_rule("::1") == HostRule("::1")
    assert parse_host_rule("*.s3.amazonaws.com") == HostRule("*.s3.amazonaws.com")
    for bad in ("", "*", "http://x", "x/y", "u@x", "x:99999", "*.10.0.0.1x y", 5):
        with pytest.raises(ValueError, match="not a host name"):
            parse_host_rule(bad)


def test_a_bad_host_entry_stops_the_target_at_start(empty_account, tmp_path) -> None:
    config = target_config(
        empty_account, tmp_path, allowed_download_hosts=["https://files.example.com/"]
    )
    with pytest.raises(ConfigValidationError) as caught:
        TargetLexful(config=config)
    assert "allowed_download_hosts" in caught.value.errors[0]


def test_names_are_resolved_and_wildcards_cover_subdomains_only() -> None:
    # What a *.domain match goes through: every address the name resolves to must be public.
    # localhost resolves from the hosts file, so this needs no network.
    with pytest.raises(SourceRefused, match="is loopback"):
        refuse_non_public("localhost", 443)
    rules = FileSources(allowed_hosts=(HostRule("*.example.com"),))
    with pytest.raises(SourceRefused, match="is not in allowed_download_hosts"):
        rules.check_url("https://example.com/x")
    with pytest.raises(SourceRefused, match="is not in allowed_download_hosts"):
        rules.check_url("https://files.example.com.evil.org/x")
