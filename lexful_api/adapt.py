"""How the connectors adapt when Lexful answers otherwise than the contract assumes.

The one place each such decision lives (``contract.py`` names it). A ``Dialect`` holds what
one client has learned of the API it talks to; ``LexfulClient.request`` rewrites every call
through it and, when a call is refused in a way a known alternative explains, retries it the
other way and learns from the answer:

- a two-key ``sort`` refused (400) [A: ``sort=a,b`` works on every list]: the list is
  sorted on its tie-breaker alone. Ids are time-ordered UUIDv7 [D: the examples], made with
  ``created_at``, so ``sort=id`` walks ``(created_at, id)`` in the same order; a link list
  (no id of its own) is walked on ``asset_id`` alone, which the tap's position follows
  (``position_key``). Another key (``updated_at``, ``deleted_at``) has no such fallback: the
  run stops with one line naming the setting that avoids it (``Unsupported``).
- a ``limit`` over ``FALLBACK_PAGE_SIZE`` refused (400) [A: 1..1000 on every list]: every
  later list call asks for ``FALLBACK_PAGE_SIZE``. A cap served silently (fewer records than
  asked, ``total`` beyond them) needs nothing here: every walker follows a short page.
- ``GET /v1/asset_types`` not found (404) [A: the newer paths]: the older
  ``/v1/entity_types`` and ``/v1/entities/{type}...`` are used from then on.
- an expired token answered 403 rather than 401 [A]: ``contract.TOKEN_REFRESH_STATUSES``;
  the core client drops the token and retries once on either.
- a bulk create answered in another order than sent [A: in the order sent]: each answered
  organization is matched to the one sent by slug, else by name (``bulk_in_sent_order``);
  when neither tells them apart, the run stops (``Unsupported``).
- a token answer of ``access_token`` + ``expires_in``, an error body of another shape, a
  bulk create answered as a bare array, a DELETE answered 200: read as they come
  (``contract.token_and_expiry``, ``contract.error_message``, ``contract.list_items``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lexful_api.errors import LexfulError

#: The page size a refused ``limit`` falls back to: the users list's documented default [D].
FALLBACK_PAGE_SIZE = 100
#: The keys a two-key sort may fall back from: (key, tie-breaker) -> the one key to send.
SINGLE_SORT_FALLBACK = {("created_at", "id"): "id", ("created_at", "asset_id"): "asset_id"}
#: What to set when a two-key sort on this key has no single-key fallback.
SINGLE_SORT_SETTING = {
    "updated_at": "replication_key: created_at",
    "deleted_at": "emit_deletes: false (the deletes pass walks deleted_at)",
}
_NEW_ASSETS = re.compile(r"^/v1/assets(/.*)?$")
_NEW_TYPES = re.compile(r"^/v1/asset_types(/.*)?$")


@dataclass(frozen=True)
class Alternative:
    """Another way to send a refused call: what it would teach, the path and query to send,
    and, when it works but the walk cannot use it, the one line to stop with."""

    what: str
    path: str
    params: Mapping[str, Any] | None
    problem: str | None = None


class Unsupported(LexfulError):
    """The API differs from the contract in a way no fallback covers: one line, naming what
    differs and the setting that adapts the connectors to it."""


@dataclass
class Dialect:
    """What one client has learned of its API (each fact learned once, from a refusal)."""

    single_sort: bool = False
    page_cap: int | None = None
    entities_paths: bool = False
    #: The sort keys this client's walks need (a tap's replication key, ``deleted_at``):
    #: learning that the API takes one sort key then stops at once, before the "adapted"
    #: warning, when one of them has no single-key fallback (``walk_problem``).
    walks: tuple[str, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- outgoing calls -------------------------------------------------------------------

    def path(self, path: str) -> str:
        """The path to send: the older ``/v1/entities`` ones once learned."""
        if not self.entities_paths:
            return path
        if _NEW_TYPES.match(path):
            return "/v1/entity_types" + path[len("/v1/asset_types") :]
        if _NEW_ASSETS.match(path):
            return "/v1/entities" + path[len("/v1/assets") :]
        return path

    def params(self, params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The query to send: one sort key, a capped ``limit``, as learned."""
        if not params:
            return params
        out = dict(params)
        if self.single_sort:
            out.update(single_sort_params(out))
        if self.page_cap is not None and _int(out.get("limit")) > self.page_cap:
            out["limit"] = self.page_cap
        return out

    # --- refusals -------------------------------------------------------------------------

    def alternatives(
        self, method: str, path: str, params: Mapping[str, Any] | None, status: int
    ) -> list[Alternative]:
        """The other ways to send a refused call; the first that succeeds is learned."""
        if method != "GET":
            return []
        found: list[Alternative] = []
        listing_types = path.split("?", maxsplit=1)[0] == "/v1/asset_types"
        if status == 404 and not self.entities_paths and listing_types:
            found.append(Alternative("entities_paths", "/v1/entity_types", params))
        if status != 400 or not params:
            return found
        capped = self.page_cap is None and _int(params.get("limit")) > FALLBACK_PAGE_SIZE
        two_keys = not self.single_sort and "," in str(params.get("sort") or "")
        if capped:
            found.append(Alternative("page_cap", path, {**params, "limit": FALLBACK_PAGE_SIZE}))
        if two_keys:
            single, problem = single_sort(params)
            found.append(Alternative("single_sort", path, {**params, **single}, problem))
            if capped:
                both = {**params, **single, "limit": FALLBACK_PAGE_SIZE}
                found.append(Alternative("both", path, both, problem))
        return found

    def learn(self, alternative: Alternative) -> None:
        """The API took ``alternative``: so it is, for every later call. ``Unsupported``
        when no fallback covers what the refused call needed."""
        what = alternative.what
        with self._lock:
            if what in ("single_sort", "both"):
                self.single_sort = True
            if what in ("page_cap", "both"):
                self.page_cap = FALLBACK_PAGE_SIZE
            if what == "entities_paths":
                self.entities_paths = True
        if alternative.problem:
            raise Unsupported(alternative.problem)
        problem = walk_problem(self, list(self.walks))
        if problem:
            raise Unsupported(problem)

    def learned(self) -> list[str]:
        """What differs from the contract, one phrase each (for a log line and the probe)."""
        found = []
        if self.single_sort:
            found.append("one sort key only: lists walked on the id")
        if self.page_cap is not None:
            found.append(f"limit above {self.page_cap} refused: pages of {self.page_cap}")
        if self.entities_paths:
            found.append("only the older /v1/entities and /v1/entity_types paths")
        return found


def single_sort(params: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A two-key sort as one key, and None; or the first key alone and the one line that
    says why a walk cannot use it (no fallback walks the same order)."""
    keys = [k.strip() for k in str(params.get("sort") or "").split(",") if k.strip()]
    orders = [o.strip() for o in str(params.get("order") or "ASC").split(",")]
    if len(keys) < 2:
        return {}, None
    one = SINGLE_SORT_FALLBACK.get((keys[0], keys[1]))
    if one is not None:
        return {"sort": one, "order": orders[-1] or "ASC"}, None
    setting = SINGLE_SORT_SETTING.get(keys[0], "no setting avoids it")
    problem = (
        f"the API sorts lists on one key only (a two-key sort gets 400), and a walk on "
        f"{keys[0]} needs {keys[0]},{keys[1]}: set {setting}"
    )
    return {"sort": keys[0], "order": orders[0] or "ASC"}, problem


def single_sort_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The query of a call once the API is known to take one sort key (``Unsupported`` when
    the walk has no fallback)."""
    single, problem = single_sort(params)
    if problem:
        raise Unsupported(problem)
    return single


def bulk_in_sent_order(
    sent: list[dict[str, Any]], answered: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The organizations of a bulk create's answer, in the order they were sent.

    In the order sent when each matches its place (its slug, else its name); else matched
    by slug, then by name, when that names each one once; else ``Unsupported``.
    """
    if len(answered) != len(sent):
        msg = f"bulk create answered {len(answered)} organizations for {len(sent)} sent"
        raise Unsupported(msg)
    if all(_same_org(s, a) for s, a in zip(sent, answered, strict=True)):
        return answered
    for key in ("slug", "name"):
        wanted = [s.get(key) for s in sent]
        found: dict[Any, list[dict[str, Any]]] = {}
        for item in answered:
            found.setdefault(item.get(key), []).append(item)
        if all(w and len(found.get(w, [])) == 1 for w in wanted) and len(set(wanted)) == len(
            wanted
        ):
            return [found[w][0] for w in wanted]
    msg = (
        "bulk create answered its organizations in another order than sent, and neither slug "
        "nor name tells them apart; no setting adapts to it: report it"
    )
    raise Unsupported(msg)


def _same_org(sent: dict[str, Any], answered: dict[str, Any]) -> bool:
    if sent.get("slug"):
        return bool(sent["slug"] == answered.get("slug"))
    return bool(sent.get("name") == answered.get("name"))


def walk_problem(dialect: Dialect, keys: list[str], tiebreak: str = "id") -> str | None:
    """Before a run: the one line that stops it when the API takes one sort key and a walk
    on one of ``keys`` (the replication key, ``deleted_at``) needs two; None when it can run.
    Every setting needed is named, so that one change of the config is enough."""
    if not dialect.single_sort:
        return None
    needing = [key for key in keys if single_sort({"sort": f"{key},{tiebreak}"})[1]]
    if not needing:
        return None
    if len(needing) == 1:
        return single_sort({"sort": f"{needing[0]},{tiebreak}"})[1]
    walks = " and ".join(f"{key},{tiebreak}" for key in needing)
    settings = " and ".join(SINGLE_SORT_SETTING.get(key, "no setting avoids it") for key in needing)
    return (
        f"the API sorts lists on one key only (a two-key sort gets 400), and the walks "
        f"need {walks}: set {settings}"
    )


def position_key(dialect: Dialect, order_field: str, id_field: str) -> str | None:
    """The field a walk's position is read from besides the id: ``order_field``, or None
    when the list is walked on its id alone (a link list, one sort key only)."""
    if dialect.single_sort and SINGLE_SORT_FALLBACK.get((order_field, id_field)) != "id":
        return None
    return order_field


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
