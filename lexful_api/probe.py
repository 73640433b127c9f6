"""``lexful-probe``: before a first real run, which of the contract's assumptions hold.

A bounded handful of requests (about ten), every one a read but the token call; it never
writes. Each check is one [A] of ``docs/lexful-api.md`` that the connectors rest on; the
verdicts come from what ``lexful_api/adapt.py`` does about each answer. Two assumptions
cannot be seen without a write (the bulk create's answer, a DELETE's answer): their rows
say so, and the connectors take either answer.

    lexful-probe --config tap-config.json [--format json]

Exit code 0 when the connectors work as is or adapt by themselves, 1 when something needs a
setting or is unsupported, 2 on a bad command line.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from connector_core import (
    NOTHING,
    PROBE_MAX_TRIES,
    PROBE_TIMEOUT_S,
    Check,
    Report,
    Step,
    Stop,
    Verdict,
    not_the_api,
    print_report,
    probe_config,
    probe_parser,
    run_checks,
    scrub,
    unreachable,
)
from lexful_api import adapt, contract
from lexful_api.errors import LexfulConnectionError
from lexful_api.http import LexfulClient
from lexful_api.settings import client_from_config

DOCUMENTED_ERROR = frozenset({"status", "message", "error_id", "error_code", "developer_message"})
DOCUMENTED_TOKEN = frozenset({"token", "expires_in", "expires_at"})
CREDENTIALS = "api_key_id, api_key_secret and account_id are accepted"


class LexfulProbe:
    """The checks, in order, against one configured account."""

    def __init__(self, config: Mapping[str, Any], client: LexfulClient) -> None:
        self.config = config
        self.client = client
        self.biggest: tuple[str, int] | None = None  # the longest asset list, from the counts

    def steps(self) -> list[Step]:
        checks: list[tuple[str, str, Callable[[], Check]]] = [
            ("token", "the token answer is {token, expires_in, expires_at}", self.token),
            ("paths", "assets live under /v1/assets and /v1/asset_types", self.paths),
            ("sort", "lists take a two-key sort (sort=created_at,id)", self.sort),
            ("page-cap", "lists take limit up to 1000", self.page_cap),
            ("fields", "fields= returns only the fields asked for", self.fields),
            ("errors", "an error body is {status, message, error_id, ...}", self.errors),
            ("refused-token", "a refused token gets 401", self.refused_token),
            ("bulk-answer", "a bulk create answers {items, total}", self.bulk_answer),
            ("delete-answer", "DELETE answers 204", self.delete_answer),
        ]
        return [Step(key, assumption, probe) for key, assumption, probe in checks]

    # --- the checks -----------------------------------------------------------------------

    def token(self) -> Check:
        response = self.client.request(
            "POST",
            contract.TOKEN_PATH,
            json={"id": self.config["api_key_id"], "secret": self.config["api_key_secret"]},
            headers={contract.ACCOUNT_HEADER: self.config["account_id"]},
            authenticated=False,
            allow_redirects=False,
            raise_for_status=False,
        )
        kind = response.headers.get("Content-Type", "")
        foreign = not_the_api(response.status_code, kind)
        if foreign is not None and (response.status_code < 400 or "html" in kind.lower()):
            raise Stop(foreign)
        if response.status_code in (401, 403):
            observed = f"the token call answered {response.status_code}: the key is refused"
            action = "check api_key_id, api_key_secret and account_id; the probe stopped"
            raise Stop(Check("credentials", CREDENTIALS, observed, Verdict.UNSUPPORTED, action))
        if response.status_code >= 400:
            observed = f"the token call answered {response.status_code}"
            action = "check api_url and account_id; the probe stopped"
            raise Stop(Check("credentials", CREDENTIALS, observed, Verdict.UNSUPPORTED, action))
        body = _json(response)
        keys = sorted(body) if isinstance(body, dict) else []
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        scrub.register(token)
        observed = f"answered the keys {', '.join(keys)}"
        assumption = "the token answer is {token, expires_in, expires_at}"
        if set(keys) >= DOCUMENTED_TOKEN:
            return Check("token", assumption, observed, Verdict.WORKS, NOTHING)
        if token and isinstance(body.get("expires_in"), (int, float)):
            action = "reads access_token and expires_in (contract.token_and_expiry)"
            return Check("token", assumption, observed, Verdict.ADAPTS, action)
        if token:
            action = "no lifetime: assumes 60 minutes and renews on a 401 or 403"
            return Check("token", assumption, observed, Verdict.ADAPTS, action)
        return Check("token", assumption, observed, Verdict.UNSUPPORTED, "no token to read")

    def paths(self) -> Check:
        assumption = "assets live under /v1/assets and /v1/asset_types"
        self.client.get_json(contract.asset_types_path(), {"limit": 1})
        if self.client.dialect.entities_paths:
            observed = "/v1/asset_types: 404; /v1/entity_types answered"
            action = "uses /v1/entity_types and /v1/entities/{type} (adapt.Dialect.path)"
            return Check("paths", assumption, observed, Verdict.ADAPTS, action)
        return Check("paths", assumption, "/v1/asset_types answered", Verdict.WORKS, NOTHING)

    def sort(self) -> Check:
        assumption = "lists take a two-key sort (sort=created_at,id)"
        params = {**contract.sort_params(), "limit": 1, "fields": "id"}
        self.client.get_json(contract.organizations_path(), params)
        if not self.client.dialect.single_sort:
            return Check("sort", assumption, "answered", Verdict.WORKS, NOTHING)
        observed = "sort=created_at,id: 400; sort=id answered"
        keys = [str(self.config.get("replication_key") or "created_at")]
        if self.config.get("emit_deletes", True):
            keys.append("deleted_at")
        problem = adapt.walk_problem(self.client.dialect, keys)
        if problem:
            setting = problem.rsplit(": set ", 1)[-1]
            action = f"walks on the id (UUIDv7); the run stops unless you set {setting}"
            return Check("sort", assumption, observed, Verdict.SETTING, action)
        action = "walks every list on its id (UUIDv7: the created_at order)"
        return Check("sort", assumption, observed, Verdict.ADAPTS, action)

    def page_cap(self) -> Check:
        assumption = "lists take limit up to 1000"
        name, count = self._biggest_list()
        params = {**contract.sort_params(), "limit": contract.MAX_PAGE_SIZE, "fields": "id"}
        body = self.client.get_json(contract.assets_path(name), params)
        served, total = len(contract.list_items(body)), contract.list_total(body)
        if self.client.dialect.page_cap is not None:
            observed = (
                f"limit={contract.MAX_PAGE_SIZE}: 400; limit={adapt.FALLBACK_PAGE_SIZE} answered"
            )
            action = f"asks for pages of {adapt.FALLBACK_PAGE_SIZE} (adapt.FALLBACK_PAGE_SIZE)"
            return Check("page-cap", assumption, observed, Verdict.ADAPTS, action)
        if total is not None and served < min(total, contract.MAX_PAGE_SIZE):
            observed = f"limit={contract.MAX_PAGE_SIZE} served {served} of {total}"
            action = "follows the shorter pages (a page cap learned from the first answer)"
            return Check("page-cap", assumption, observed, Verdict.ADAPTS, action)
        if count <= adapt.FALLBACK_PAGE_SIZE:
            observed = f"answered; no list is longer than {count} to show a silent cap"
            return Check("page-cap", assumption, observed, Verdict.WORKS, "follows short pages")
        observed = f"limit={contract.MAX_PAGE_SIZE} served {served} of {total}"
        return Check("page-cap", assumption, observed, Verdict.WORKS, NOTHING)

    def fields(self) -> Check:
        assumption = "fields= returns only the fields asked for"
        params = {**contract.sort_params(), "limit": 1, "fields": "id,name"}
        items = contract.list_items(self.client.get_json(contract.organizations_path(), params))
        if not items:
            seen = "not observable: the account has no organization to read"
            action = "run the probe again once the account holds an organization"
            return Check("fields", assumption, seen, Verdict.NOT_CHECKED, action)
        extra = sorted(set(items[0]) - {"id", "name"})
        if not extra:
            return Check("fields", assumption, "answered id, name", Verdict.WORKS, NOTHING)
        observed = f"fields=id,name also answered {', '.join(extra[:6])}"
        action = "drops deselected properties itself (more bytes per page)"
        return Check("fields", assumption, observed, Verdict.ADAPTS, action)

    def errors(self) -> Check:
        assumption = "an error body is {status, message, error_id, ...}"
        missing = contract.organizations_path(str(uuid.UUID(int=0)))
        response = self.client.request("GET", missing, raise_for_status=False)
        body = _json(response)
        keys = sorted(body) if isinstance(body, dict) else []
        observed = f"{response.status_code} with the keys {', '.join(keys) or '(none)'}"
        if set(keys) >= DOCUMENTED_ERROR:
            return Check("errors", assumption, observed, Verdict.WORKS, NOTHING)
        action = "reads message/error/detail of any shape (contract.error_message)"
        return Check("errors", assumption, observed, Verdict.ADAPTS, action)

    def refused_token(self) -> Check:
        assumption = "a refused token gets 401"
        headers = {
            "Authorization": "Bearer lexful-probe-not-a-token",
            contract.ACCOUNT_HEADER: str(self.config["account_id"]),
        }
        response = self.client.request(
            "GET",
            contract.organizations_path(),
            params={"limit": 1},
            headers=headers,
            authenticated=False,
            raise_for_status=False,
        )
        status = response.status_code
        if status == 401:
            return Check("refused-token", assumption, "401", Verdict.WORKS, NOTHING)
        if status in contract.TOKEN_REFRESH_STATUSES:
            action = "renews the token once on a 403 too (contract.TOKEN_REFRESH_STATUSES)"
            return Check("refused-token", assumption, str(status), Verdict.ADAPTS, action)
        action = "an expired token would fail the run: report it"
        return Check("refused-token", assumption, str(status), Verdict.UNSUPPORTED, action)

    def bulk_answer(self) -> Check:
        action = (
            "the target reads {items} or a bare array (contract.list_items), in the order "
            "sent or reordered (matched back by slug, then name: adapt.bulk_in_sent_order)"
        )
        observed = "not observable: it needs a write, and the probe writes nothing"
        return Check(
            "bulk-answer",
            "a bulk create answers {items, total}",
            observed,
            Verdict.NOT_CHECKED,
            action,
        )

    def delete_answer(self) -> Check:
        action = "the target reads no DELETE answer: 204 or 200 alike"
        observed = "not observable: it needs a write, and the probe writes nothing"
        return Check("delete-answer", "DELETE answers 204", observed, Verdict.NOT_CHECKED, action)

    # --- helpers --------------------------------------------------------------------------

    def _biggest_list(self) -> tuple[str, int]:
        """The asset type with the most assets (``/v1/entities/counts`` [D]): the list most
        likely to show a page cap."""
        counts = contract.entity_counts(self.client.get_json(contract.entity_counts_path()))
        sizes = {name: sum(per_org.values()) for name, per_org in counts.items()}
        if not sizes:
            return "system.contact", 0
        name = max(sizes, key=lambda n: sizes[n])
        return name, sizes[name]


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def probe(config: Mapping[str, Any]) -> Report:
    """Run every check against the configured account; the report of what it found."""
    client = client_from_config(config, user_agent="lexful-probe", concurrency=1)
    # The table is the probe's one verdict: the client's "(adapted)" warning, logged when a
    # refused call is sent another way, would contradict a row that needs a setting. Quiet
    # for the probe only: a caller's later runs in the same process keep their log.
    api_log = logging.getLogger("lexful_api")
    level = api_log.level
    api_log.setLevel(logging.ERROR)
    # A bounded budget: one try per request, a short wait for each (never the run's retries).
    client.max_tries = PROBE_MAX_TRIES
    client.timeout_s = PROBE_TIMEOUT_S
    client.timeout = (PROBE_TIMEOUT_S, PROBE_TIMEOUT_S)
    api_url = str(config.get("api_url") or contract.DEFAULT_API_URL)

    def stop_on(error: Exception, waited_s: float) -> Check | None:
        if isinstance(error, LexfulConnectionError):
            return unreachable(error, api_url, waited_s)
        return None

    try:
        checks = LexfulProbe(config, client)
        report = run_checks("lexful", api_url, checks.steps(), stop_on)
        report.requests = client.requests_sent
        return report
    finally:
        client.close()
        api_log.setLevel(level)


def main(argv: list[str] | None = None) -> None:
    parser = probe_parser(
        "lexful-probe",
        "Which of the Lexful contract's assumptions hold for this account (read-only).",
    )
    args = parser.parse_args(argv)
    config = probe_config(parser, args.config, ("account_id", "api_key_id", "api_key_secret"))
    scrub.register(config.get("api_key_secret"))
    sys.exit(print_report(probe(config), args.format))


if __name__ == "__main__":
    main()
