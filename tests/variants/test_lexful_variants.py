"""tap-lexful and target-lexful against each Lexful sandbox variant: a full sync, an
incremental one, and a tap | target copy, each with 0 records lost and 0 doubled; or the
documented one-line stop, before any record.

One small sandbox per variant (``matrix.seed``: the smallest account that exercises it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lexful_api import contract
from lexful_sandbox import Sandbox, running_sandbox
from lexful_sandbox.common.variants import REGISTRY
from tests.lexful.client import client_for
from tests.lexful.tap.helpers import discover, sync
from tests.lexful.target.helpers import run_target, target_config
from tests.variants import matrix

STREAMS = ("organizations", "system_location", "system_contact", "related_assets", "files")
QUICK = {
    "files_content": "inline",
    "max_concurrency": 2,
    "backoff_base_seconds": 0.01,
    "max_tries": 4,
}


@dataclass(frozen=True)
class Case:
    """What the smallest account for a variant needs, and the settings the tap runs with."""

    organizations: int = 3
    settings: dict[str, Any] | None = None


CASES = {
    "single-sort": Case(settings={"emit_deletes": False}),  # the default stops: see below
    "page-cap-400": Case(organizations=matrix.LONG_LIST),
    "page-cap-silent": Case(organizations=matrix.LONG_LIST),
    "fields-ignored": Case(),
    "fastify-errors": Case(),
    "oauth-token": Case(),
    "entities-paths": Case(),
    "delete-200": Case(),
    "bulk-bare-array": Case(),
    "bulk-reordered": Case(),
    "expired-403": Case(),
}


def test_every_declared_variant_is_in_the_matrix() -> None:
    assert set(CASES) == set(REGISTRY.names)


def _without_description(config: dict[str, Any]) -> dict[str, Any]:
    """The discovered catalog with ``organizations.description`` deselected: the tap then
    sends ``fields=`` (what ``fields-ignored`` ignores)."""
    catalog = discover(config)
    for stream in catalog["streams"]:
        if stream["tap_stream_id"] == "organizations":
            for entry in stream["metadata"]:
                if entry["breadcrumb"] == ["properties", "description"]:
                    entry["metadata"]["selected"] = False
    return catalog


def _records(output: Any) -> dict[str, list[dict[str, Any]]]:
    return {stream: output.records(stream) for stream in STREAMS}


def _check_full(sb: Sandbox, records: dict[str, list[dict[str, Any]]]) -> None:
    held = matrix.held(sb, sb.account_id)
    for stream in STREAMS:
        got = matrix.emitted(records, stream)
        assert sorted(got) == sorted(held[stream]), f"{stream}: lost or doubled"


#: Variants together: each adaptation must hold with the other learned (the older paths are
#: learned from a list call that a page cap or a one-key sort refuses in turn).
COMBINED = {
    ("entities-paths", "page-cap-400"): Case(organizations=matrix.LONG_LIST),
    ("entities-paths", "single-sort"): Case(settings={"emit_deletes": False}),
}


@pytest.mark.parametrize("variant", sorted(CASES))
def test_full_incremental_and_copy(variant: str, tmp_path: Path) -> None:
    _full_incremental_and_copy([variant], CASES[variant], tmp_path)


@pytest.mark.parametrize("variants", sorted(COMBINED))
def test_combined_variants(variants: tuple[str, str], tmp_path: Path) -> None:
    _full_incremental_and_copy(list(variants), COMBINED[variants], tmp_path)


def _full_incremental_and_copy(variants: list[str], case: Case, tmp_path: Path) -> None:
    with running_sandbox(variants=variants) as sb:
        matrix.seed(sb, case.organizations)
        config = {**sb.config, **QUICK, **(case.settings or {})}

        catalog = _without_description(config)
        full = sync(config, catalog=catalog)
        _check_full(sb, _records(full))
        assert not any("description" in r for r in full.records("organizations"))

        destination = sb.new_account()
        messages: list[dict[str, Any] | str] = [line for line in full.text.splitlines() if line]
        copy = run_target(target_config(destination, tmp_path), messages)
        assert copy.exit_message is None
        source_counts = {s: len(ids) for s, ids in matrix.held(sb, sb.account_id).items()}
        assert matrix.copied(sb, destination["account_id"]) == source_counts
        assert matrix.same_organizations(sb, sb.account_id, destination["account_id"])

        new_org, deleted = matrix.change(sb)
        again = sync(config, state=full.state, catalog=catalog)
        incremental = _records(again)
        first = {
            s: set(matrix.emitted(_records(full), s)) for s in STREAMS if s != "related_assets"
        }
        assert [r["id"] for r in incremental["organizations"]] == [new_org]
        for stream, ids in first.items():
            repeated = {r["id"] for r in incremental[stream] if not r.get("_sdc_deleted_at")} & ids
            assert not repeated, f"{stream}: doubled in the incremental run"
        if config.get("emit_deletes", True):
            gone = [r["id"] for r in incremental["system_location"] if r.get("_sdc_deleted_at")]
            assert gone == [deleted]


def test_single_sort_with_the_deletes_pass_stops_in_one_line_before_any_record() -> None:
    with running_sandbox(variants=["single-sort"]) as sb:
        matrix.seed(sb, 2)
        with pytest.raises(Exception) as caught:  # noqa: PT011 - the SDK's config error
            sync({**sb.config, **QUICK})
        line = str(caught.value)
        assert "\n" not in line
        assert "sorts lists on one key only" in line
        assert "set emit_deletes: false" in line


def test_an_expired_token_answered_403_is_renewed_once() -> None:
    """``expired-403``: the server expires a token the client still holds (a request slowed
    past the token's end); the client takes a new token and the call goes through."""
    with running_sandbox(variants=["expired-403"], token_ttl=3) as sb:
        client = client_for(sb.config)
        client.get_json("/v1/organizations")  # the token: the client renews it after 2.4 s
        slowed: list[str] = []

        def slow_once(method: str, path: str, _query: dict[str, str]) -> None:
            if method == "GET" and not slowed:
                slowed.append(path)
                time.sleep(3.2)  # reaches the token check after its end

        sb.add_hook(slow_once)
        client.get_json("/v1/organizations")
        assert sb.stats()["by_status"].get(403) == 1
        assert client.auth.tokens_fetched == 2
        client.close()


@pytest.mark.parametrize(
    ("variants", "learned"),
    [
        (["single-sort"], ["one sort key only: lists walked on the id"]),
        (["page-cap-400"], ["limit above 100 refused: pages of 100"]),
        (
            ["single-sort", "page-cap-400"],
            ["one sort key only: lists walked on the id", "limit above 100 refused: pages of 100"],
        ),
    ],
)
def test_a_refused_list_call_learns_only_what_the_api_refused(
    variants: list[str], learned: list[str]
) -> None:
    """A list call with a two-key sort and limit=1000: each fallback is tried alone before
    they combine, so a one-key sort is not also taken for a page cap (it was: the page-capped
    call, refused for its sort, was retried with one key and both were learned)."""
    with running_sandbox(seed="demo", variants=variants) as sb:
        client = client_for(sb.config)
        try:
            params = {**contract.sort_params(), "limit": contract.MAX_PAGE_SIZE}
            client.get_json(contract.organizations_path(), params)
            assert client.dialect.learned() == learned
        finally:
            client.close()
