"""``lightfield-probe``: which assumptions of the Lightfield connectors hold for an account.

A bounded handful of read-only requests (at most ten, every one a GET) against the
configured workspace (tap-lightfield's config file), one check per assumption of
``docs/lightfield-api.md`` a connector's correctness rests on and that a read can see;
``connector_core.probe`` prints the table (or ``--format json``), with no secret in it. What
the connectors do about each answer is ``lightfield_api.adapt``'s decision, quoted here.

    lightfield-probe --config tap-config.json [--format json]

Exit code 0 when the connectors work as is or adapt by themselves, 1 when something needs a
setting or is unsupported, 2 on a bad command line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from connector_core import (
    PROBE_MAX_TRIES,
    PROBE_TIMEOUT_S,
    Check,
    Step,
    Stop,
    Verdict,
    not_the_api,
    probe,
    unreachable,
)
from lightfield_api import adapt, contract, probe_lag
from lightfield_api.errors import (
    LightfieldConnectionError,
    LightfieldError,
    LightfieldHTTPError,
)
from lightfield_api.http import DEFAULT_REQUESTS_PER_SECOND, LightfieldClient, list_page

PROBED = "accounts"  # the collection read: every workspace has it, and it is edited most
#: The action of a row that works as is, the same in every row.
NOTHING = probe.NOTHING
#: The action of a row the API's answer kept from being checked.
REPORT = "run the probe again; if it persists, report the answer"
#: A list with no record yet: nothing to compare. In a workspace just written, under a
#: lagging index, that is itself a sign of the lag.
EMPTY_LIST = (
    f"not observable: the {PROBED} list has no record yet (in a workspace just written, an "
    "empty list is itself a sign that the index lags)"
)
AGAIN = f"write or edit a {PROBED} record, then run the probe again"
MISSING_ID = "acc_probe_no_such_record"


@dataclass
class Answer:
    """One GET's status, headers and parsed body."""

    status: int
    headers: Any
    body: Any
    content_type: str = ""
    sent_at: float = 0.0  # epoch seconds: when it was asked for
    received_at: float = 0.0  # and answered


@dataclass
class LightfieldProbe:
    """The checks, sharing the few answers they read (each GET is sent once)."""

    config: dict[str, Any]
    client: LightfieldClient = field(init=False)
    _seen: dict[str, Answer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = LightfieldClient(
            api_url=str(self.config.get("api_url") or contract.DEFAULT_API_URL),
            api_key=str(self.config["api_key"]),
            max_requests_per_second=float(
                self.config.get("max_requests_per_second") or DEFAULT_REQUESTS_PER_SECOND
            ),
            max_tries=PROBE_MAX_TRIES,
            backoff_base_s=0.2,
            timeout_s=PROBE_TIMEOUT_S,
            user_agent="lightfield-probe",
        )

    def get(self, path: str, *, fresh: bool = False, **params: Any) -> Answer:
        """A GET, its answer kept (``fresh``: sent again): a 4xx is an answer, not an error."""
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        if key not in self._seen or fresh:
            sent_at = time.time()
            response: requests.Response = self.client.request(
                "GET", path, params=params or None, raise_for_status=False
            )
            try:
                body = response.json()
            except ValueError:
                body = response.text[:200]
            kind = response.headers.get("Content-Type", "")
            self._seen[key] = Answer(
                response.status_code, response.headers, body, kind, sent_at, time.time()
            )
        return self._seen[key]

    def listed(self, *, fresh: bool = False) -> Answer:
        path = contract.collection_path(PROBED)
        return self.get(path, fresh=fresh, limit=contract.MAX_PAGE_SIZE)

    # --- the checks -----------------------------------------------------------------------

    def auth(self) -> Check:
        answer = self.get(contract.VALIDATE_PATH)
        foreign = not_the_api(answer.status, answer.content_type)
        if foreign is not None:
            raise Stop(foreign)
        assumption = (
            "the API key (as a bearer token) and Lightfield-Version 2026-03-01 are accepted [D]"
        )
        if answer.status != 200:  # nothing after it can be read: one row, the probe stops
            refused = answer.status in (401, 403)
            seen = f"the key check answered {answer.status}" + (
                ": the key is refused" if refused else ""
            )
            action = f"check {'api_key' if refused else 'api_url and api_key'}; the probe stopped"
            raise Stop(Check("auth", assumption, seen, Verdict.UNSUPPORTED, action))
        scopes = answer.body.get("scopes") if isinstance(answer.body, dict) else None
        return Check("auth", assumption, f"200; scopes: {scopes or 'all'}", Verdict.WORKS, NOTHING)

    def rate_limit(self) -> Check:
        answer = self.get(contract.VALIDATE_PATH)
        limit = adapt.advertised_limit(answer.headers)
        assumption = f"a bucket of {contract.RATE_LIMIT_PER_S} requests/s per category [D]"
        if limit is None:
            return Check(
                "rate.limit",
                assumption,
                "no X-RateLimit-Limit header",
                Verdict.WORKS,
                "pace at max_requests_per_second; a 429 waits Retry-After",
            )
        pace = adapt.paced_rate(DEFAULT_REQUESTS_PER_SECOND, limit)
        if pace is None:
            seen = f"X-RateLimit-Limit: {limit}"
            return Check("rate.limit", assumption, seen, Verdict.WORKS, NOTHING)
        return Check(
            "rate.limit",
            assumption,
            f"X-RateLimit-Limit: {limit}",
            Verdict.ADAPTS,
            f"the connectors pace at {pace} requests/s once they see it",
        )

    def error_shape(self) -> Check:
        answer = self.get(contract.collection_path(PROBED, MISSING_ID))
        assumption = 'error bodies are {"error": {type, message, code?, param?}} [D; A on 429]'
        if answer.status < 400:
            seen = f"not observable: a missing {PROBED} record answered {answer.status}, no error"
            return Check("errors.shape", assumption, seen, Verdict.NOT_CHECKED, REPORT)
        if adapt.is_wrapped(answer.body):
            return Check(
                "errors.shape", assumption, f"{answer.status}, wrapped", Verdict.WORKS, NOTHING
            )
        flat = adapt.error_object(answer.body) is not None
        seen = f"{answer.status}, " + ("flat {type, message}" if flat else "not that shape")
        action = "read either shape" if flat else "shown as the answer's text"
        return Check("errors.shape", assumption, seen, Verdict.ADAPTS, action)

    def page_cap(self) -> Check:
        assumption = f"limit 1..{contract.MAX_PAGE_SIZE}; above it 400 [D 25; A the 400]"
        path = contract.collection_path(PROBED)
        over = self.get(path, limit=contract.MAX_PAGE_SIZE + 1)
        asks = f"the connectors ask {contract.MAX_PAGE_SIZE} and follow a smaller page"
        if over.status == 400:
            seen = f"limit {contract.MAX_PAGE_SIZE + 1}: 400"
            return Check("page.cap", assumption, seen, Verdict.WORKS, asks)
        if over.status != 200:
            raise LightfieldHTTPError(over.status, str(over.body)[:200], "GET", path)
        items, total = list_page(over.body)
        served = adapt.page_cap_seen(contract.MAX_PAGE_SIZE + 1, len(items), 0, total)
        if served is not None:
            seen = f"limit {contract.MAX_PAGE_SIZE + 1}: 200 with {served} (a silent cap)"
            return Check("page.cap", assumption, seen, Verdict.ADAPTS, asks)
        big = self.get(path, limit=101)
        seen = f"limit {contract.MAX_PAGE_SIZE + 1}: 200; limit 101: {big.status}"
        cap = " (a cap of 100: the older guide)" if big.status == 400 else ""
        return Check("page.cap", assumption, seen + cap, Verdict.WORKS, asks)

    def all_fields(self) -> Check:
        assumption = "every defined field is in a record, null when unset [A]"
        definitions = self.get(contract.definitions_path(PROBED))
        listed = self.listed()
        if definitions.status != 200 or listed.status != 200:
            seen = (
                f"not observable: the definitions answered {definitions.status}, "
                f"the list {listed.status}"
            )
            return Check("fields.present", assumption, seen, Verdict.NOT_CHECKED, REPORT)
        defined = set((definitions.body.get("fieldDefinitions") or {}).keys())
        items, _total = list_page(listed.body)
        if not items:
            return Check("fields.present", assumption, EMPTY_LIST, Verdict.NOT_CHECKED, AGAIN)
        missing = sorted({k for item in items for k in defined - set(item.get("fields") or {})})
        if not missing:
            return Check(
                "fields.present", assumption, f"all in {len(items)}", Verdict.WORKS, NOTHING
            )
        seen = f"left out: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else "")
        return Check("fields.present", assumption, seen, Verdict.ADAPTS, "emitted as null")

    def index_lag(self) -> Check:
        configured = float(self.config.get("index_lag_seconds", 60) or 0)
        listed = self.listed()
        if listed.status != 200:
            seen = f"not observable: the {PROBED} list answered {listed.status}"
            return Check(probe_lag.KEY, probe_lag.ASSUMPTION, seen, Verdict.NOT_CHECKED, REPORT)
        return probe_lag.check_index_lag(
            self._listing(listed),
            self._retrieve,
            lambda: self._listing(self.listed(fresh=True)),
            configured,
        )

    def _listing(self, answer: Answer) -> probe_lag.Listing:
        items = list_page(answer.body)[0] if answer.status == 200 else []
        return probe_lag.Listing(items, answer.sent_at, answer.received_at)

    def _retrieve(self, record_id: str) -> dict[str, Any] | None:
        now = self.get(contract.collection_path(PROBED, record_id))
        return now.body if now.status == 200 and isinstance(now.body, dict) else None

    def trash_stamp(self) -> Check:
        assumption = "moving a record to the trash sets its updatedAt [A]"
        trashed = self.get(
            contract.collection_path(PROBED),
            status=contract.TRASHED,
            limit=contract.MAX_PAGE_SIZE,
        )
        if trashed.status == 403:
            seen = f"not observable: 403, the key lacks {PROBED}:{contract.RESTORE_SCOPE}"
            return Check(
                "trash.updated-at",
                assumption,
                seen,
                Verdict.NOT_CHECKED,
                "grant it, then run the probe again",
            )
        if trashed.status != 200:
            seen = f"not observable: the trash list answered {trashed.status}"
            return Check("trash.updated-at", assumption, seen, Verdict.NOT_CHECKED, REPORT)
        items, _total = list_page(trashed.body)
        if not items:  # nothing trashed: no evidence either way
            seen = f"not observable: trash empty (no {PROBED} record in the trash)"
            action = "nothing to set: the tap judges each trashed record it reads"
            return Check("trash.updated-at", assumption, seen, Verdict.NOT_CHECKED, action)
        unstamped = [item for item in items if adapt.trash_stamp_missing(item)]
        if not unstamped:
            seen = f"set on all {len(items)} trashed"
            return Check("trash.updated-at", assumption, seen, Verdict.WORKS, NOTHING)
        seen = f"{len(unstamped)} of {len(items)} trashed records have no updatedAt"
        action = "the tap emits every trashed record each run (when it was trashed is unknown)"
        return Check("trash.updated-at", assumption, seen, Verdict.ADAPTS, action)

    def filters(self) -> Check:
        assumption = "a list takes $field=value filters [D SDK syntax]"
        nothing = "lightfield-probe-matches-nothing-0d1f"
        params: dict[str, Any] = {"$name": nothing, "limit": 1}
        answer = self.get(contract.collection_path(PROBED), **params)
        if answer.status != 200:
            seen = f"not observable: a filtered list answered {answer.status}"
            return Check("filters", assumption, seen, Verdict.NOT_CHECKED, REPORT)
        items, _total = list_page(answer.body)
        values = [((i.get("fields") or {}).get("$name") or {}).get("value") for i in items]
        if not adapt.filter_ignored(nothing, values):
            return Check(
                "filters", assumption, "a $name nothing holds: no record", Verdict.WORKS, NOTHING
            )
        seen = "a $name nothing holds: records came back (the filter was ignored)"
        action = (
            "target-lightfield with match_on stops before any write (remove match_on); "
            "without it, the target finds its records by its id map, which needs no filter"
        )
        return Check("filters", assumption, seen, Verdict.UNSUPPORTED, action)

    def steps(self) -> list[Step]:
        return [
            Step("auth", "the key is accepted", self.auth),
            Step("rate.limit", "a 25 requests/s bucket", self.rate_limit),
            Step("errors.shape", "wrapped error bodies", self.error_shape),
            Step("page.cap", "a page cap of 25", self.page_cap),
            Step("fields.present", "every defined field present", self.all_fields),
            Step("index.lag", "the list index lags by little", self.index_lag),
            Step("trash.updated-at", "the trash sets updatedAt", self.trash_stamp),
            Step("filters", "list filters work", self.filters),
        ]


def run(config: dict[str, Any]) -> probe.Report:
    """Probe the workspace of ``config`` (tap-lightfield's settings)."""
    checker = LightfieldProbe(config)
    url = str(config.get("api_url") or contract.DEFAULT_API_URL)

    def stop_on(error: Exception, waited_s: float) -> Check | None:
        if isinstance(error, LightfieldConnectionError):
            return unreachable(error, url, waited_s)
        return None

    report = probe.run_checks("Lightfield", url, checker.steps(), stop_on)
    report.requests = checker.client.requests_sent
    checker.client.close()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = probe.probe_parser("lightfield-probe", __doc__.splitlines()[0])
    args = parser.parse_args(argv)
    config = probe.probe_config(parser, args.config, ("api_key",))
    try:
        report = run(config)
    except LightfieldError as exc:
        raise SystemExit(probe.scrub_text(str(exc))) from None
    raise SystemExit(probe.print_report(report, args.format))


if __name__ == "__main__":
    main()
