"""tap-lexful's bookmarks: where a walk starts from a stream's state, how the bookmark moves,
and what it is a bookmark of.

Where a walk starts (``walk_start``): the bookmark (the SDK's ``replication_key_value``), else
``start_date``, less ``lookback_seconds``, asked for with ``[gte]`` as records can share a
moment; it then skips what is at or before the last record emitted (``LAST_EMITTED``,
``resume_position``). How the bookmark moves (``Advance``): the walk emits records in (key, id)
order, so each record written is the exact bookmark, and its place goes in the state
(``mark_emitted``); the SDK writes the bookmark itself from the same records.

What a bookmark is a bookmark of: each incremental stream's state keeps its scope.

A stream's state holds, beside the SDK's ``replication_key`` and ``replication_key_value``
and the tap's ``last_emitted``, the ``scope`` it was made under: the replication key, the
organizations (``organization_ids``), the stream's filters and filter tree
(``filter_trees``), ``start_date`` and ``include_deleted``. At the start of a run
(``reconcile``) each selected incremental stream's scope is compared with this run's:

- the same, or narrower (fewer organizations, a later ``start_date``, ``include_deleted``
  turned off, a bound on the replication key (``created_at[lt]``) moved): the bookmark holds;
- organizations added to ``organization_ids``: the added ones are read first, from the start
  up to the bookmark (``CatchUp``), then the stream goes on from the bookmark as usual;
- anything else (another replication key, other filters or filter tree, ``organization_ids``
  removed so that every organization is read, an earlier ``start_date``, ``include_deleted``
  turned on):
  the bookmark does not cover this run's records, so the stream is read again from the start
  (from ``start_date``), and the log says why in one line.

A state written before scopes were kept (no ``scope``) is taken as made under this run's
settings: upgrading costs no re-read. Its ``replication_key`` is still compared.

The ``replication_key`` setting wins over an input catalog's replication key
(``replication_key_of``): the catalog is usually an older discovery's, made under the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from connector_core.tap import PageWalker, Position, Progress, Walk
from lexful_api import contract
from tap_lexful import filter_trees

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from singer_sdk.helpers.types import Context

    from connector_core.tap import Records
    from tap_lexful.client import LexfulStream

#: The stream state's record of the last record emitted: its replication key value and id.
#: The walk starts at the bookmark (``[gte]``, as records can share a moment) and skips what
#: is at or before this place in (key, id) order, so a run emits each record once.
LAST_EMITTED = "last_emitted"
#: The stream state's record of the settings its bookmark was made under.
SCOPE = "scope"
#: Context keys of a catch-up walk's requests (``catch_up_params``).
_CATCH_UP_ORGANIZATIONS = "_catch_up_organizations"
_CATCH_UP_BOUND = "_catch_up_bound"
_UPPER_BOUNDS = frozenset({"lt", "lte"})
_BOOKMARK_KEYS = ("replication_key_value", "replication_key", LAST_EMITTED)


def replication_key_of(stream: LexfulStream, catalog_key: str | None) -> str:
    """The key an incremental stream follows: the setting's, whatever the catalog says (one
    line when the catalog says otherwise)."""
    setting = str(stream.config.get("replication_key") or "created_at")
    if catalog_key and catalog_key != setting:
        stream.logger.warning(
            "Stream '%s': the catalog's replication key is %r, the replication_key setting "
            "%r: the setting is used",
            stream.name,
            catalog_key,
            setting,
        )
    return setting


def scope_of(stream: LexfulStream) -> dict[str, Any]:
    """The settings that decide which records the stream's walk reads."""
    config = stream.config
    key = stream.replication_key
    filters = (config.get("filters") or {}).get(stream.name) or {}
    scope: dict[str, Any] = {
        "replication_key": key,
        # A bound on the replication key (a Dagster shard's created_at[lt]) moves every run
        # and narrows nothing the bookmark covers: the next run reads on from the bookmark.
        "filters": {k: v for k, v in sorted(filters.items()) if not _upper_bound(k, key)},
        "start_date": config.get("start_date"),
    }
    tree = filter_trees.tree_of(config, stream.name)
    if tree:  # kept only when set: a scope saved before trees existed had none
        scope["filter_tree"] = tree
    if stream.organization_field:
        organizations = config.get("organization_ids")
        scope["organization_ids"] = sorted(organizations) if organizations else None
    if stream.selects_fields:
        scope["include_deleted"] = bool(config.get("include_deleted"))
    if not stream.selected:  # walked for its children only: its records were not emitted
        scope["records_emitted"] = False
    return scope


def _upper_bound(filter_key: str, replication_key: str | None) -> bool:
    try:
        field, op = contract.parse_filter_key(filter_key)
    except ValueError:
        return False
    return field == replication_key and op in _UPPER_BOUNDS


@dataclass(frozen=True)
class Plan:
    """What a run does with a stream's bookmark: keep it, read organizations added since it
    up to it first (``catch_up``), or read the stream again from the start (``reread``)."""

    reread: str | None = None  # why
    catch_up: tuple[str, ...] = ()


def plan(state: Mapping[str, Any], scope: Mapping[str, Any]) -> Plan:
    """Compare the stream's state with this run's ``scope`` (``scope_of``)."""
    if state.get("replication_key_value") is None:
        return Plan()  # no bookmark: the walk reads everything anyway
    old_scope = state.get(SCOPE)
    old_key = state.get("replication_key") or (old_scope or {}).get("replication_key")
    if old_key and old_key != scope["replication_key"]:
        return Plan(f"replication_key was {old_key!r}, now {scope['replication_key']!r}")
    if not isinstance(old_scope, dict):
        return Plan()  # a state from before scopes: taken as made under these settings
    if old_scope.get("records_emitted", True) is False and scope.get("records_emitted", True):
        return Plan("only its children were read, now it is selected")
    if old_scope.get("filters", {}) != scope["filters"]:
        return Plan(f"filters were {old_scope.get('filters')}, now {scope['filters']}")
    if old_scope.get("filter_tree") != scope.get("filter_tree"):
        return Plan(
            f"filter_trees was {old_scope.get('filter_tree')}, now {scope.get('filter_tree')}"
        )
    if scope.get("include_deleted") and not old_scope.get("include_deleted"):
        return Plan("include_deleted was off, now on")
    if _earlier(scope["start_date"], old_scope.get("start_date")):
        return Plan(f"start_date was {old_scope.get('start_date')}, now {scope['start_date']}")
    if "organization_ids" not in scope:
        return Plan()
    old, new = old_scope.get("organization_ids"), scope["organization_ids"]
    if old is None:
        return Plan()  # every organization before: any list now is narrower
    if new is None:
        return Plan(f"organization_ids named {len(old)} organization(s), now every one")
    return Plan(catch_up=tuple(sorted(set(new) - set(old))))


def _earlier(new: Any, old: Any) -> bool:
    """Whether start_date ``new`` lets in records that ``old`` kept out."""
    if old is None:
        return False
    if new is None:
        return True
    try:
        return _moment(str(new)) < _moment(str(old))
    except ValueError:
        return bool(new != old)


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def reconcile(stream: LexfulStream) -> tuple[str, ...]:
    """Make the stream's state fit this run's settings (see the module's docstring); the
    organizations to catch up on (their scope is written once they are read)."""
    state = stream.get_context_state(None)
    scope = scope_of(stream)
    decided = plan(state, scope)
    if decided.reread:
        start = stream.config.get("start_date")
        stream.logger.warning(
            "Stream '%s': its bookmark was made under other settings (%s): reading it again "
            "from %s",
            stream.name,
            decided.reread,
            f"start_date {start}" if start else "the start",
        )
        state.clear()
    if decided.catch_up:
        stream.logger.info(
            "Stream '%s': organization_ids adds %d organization(s) since its bookmark: "
            "their records up to the bookmark are read first",
            stream.name,
            len(decided.catch_up),
        )
    else:
        state[SCOPE] = scope
    return decided.catch_up


class CatchUp:
    """The records of organizations added to ``organization_ids`` that the stream's bookmark
    has passed: walked before the stream's own walk, which then goes on from the bookmark.

    They come before the bookmark's place in (key, id) order, the usual walk's after it, so
    the stream is still emitted in order. During the catch-up the state's bookmark is the
    catch-up's (a run cut short re-reads from there, losing nothing); at its end the bookmark
    is put back and the new scope written.
    """

    def __init__(
        self, stream: LexfulStream, organizations: tuple[str, ...], context: Context | None
    ) -> None:
        self.stream = stream
        self.organizations = organizations
        self.context = context
        self.state = stream.get_context_state(context)
        self.saved = {k: self.state[k] for k in _BOOKMARK_KEYS if k in self.state}
        # Where the stream's own walk starts: what it will emit is not caught up here.
        self.since = walk_start(stream, context)
        self.after = resume_position(stream, context)

    def pages(self) -> Iterator[Records]:
        """The added organizations' records before the bookmark's place, in order."""
        key, value = self.stream.order_field, self.saved.get("replication_key_value")
        if self.after is not None and isinstance(value, str):
            bound = (f"{key}[lte]", value)  # and then only what is at or before `after`
        elif self.since is not None:
            bound = (f"{key}[lt]", self.since)  # where the stream's own walk starts
        else:
            return  # no bookmark: the stream's walk reads everything
        for name in _BOOKMARK_KEYS:  # else the SDK takes the older records for unsorted ones
            self.state.pop(name, None)
        start = self.stream.config.get("start_date")
        context = {_CATCH_UP_ORGANIZATIONS: ",".join(self.organizations), _CATCH_UP_BOUND: bound}
        walk = Walk(
            fetch=partial(self.stream.fetch_page, context),
            position=self.stream.position,
            pager=self.stream.pager,
            progress=Progress(self.stream.logger, f"{self.stream.name} catch-up"),
            logger=self.stream.logger,
            name=self.stream.name,
            since=contract.reformat_timestamp(str(start)) if start else None,
            counts_total=False,
        )
        runtime = self.stream.runtime
        for page in PageWalker(walk, runtime.pool.submit, runtime.window).pages():
            kept = [r for r in page if self.after is None or self.stream.position(r) <= self.after]
            self.stream.progress.advance(len(kept))
            if kept:
                yield kept

    def done(self) -> None:
        """Put the bookmark back (the caught-up records are all before it) and write the new
        scope: the next run has nothing to catch up."""
        for name in _BOOKMARK_KEYS:
            self.state.pop(name, None)
        self.state.update(self.saved)
        self.state[SCOPE] = scope_of(self.stream)


def catch_up_params(context: Context | None, organization_field: str | None) -> dict[str, str]:
    """The request parameters of a catch-up walk's page (none for any other request)."""
    if not context or _CATCH_UP_ORGANIZATIONS not in context or not organization_field:
        return {}
    name, value = context[_CATCH_UP_BOUND]
    return {f"{organization_field}[in]": context[_CATCH_UP_ORGANIZATIONS], name: value}


def mark_emitted(stream: LexfulStream, row: dict[str, Any], context: Context | None) -> None:
    """``row`` is written: its exact place goes in the state (``LAST_EMITTED``)."""
    key = stream.replication_key
    assert key is not None
    state = stream.get_context_state(context)
    state[LAST_EMITTED] = {"replication_key_value": row.get(key), "id": row.get(stream.id_field)}
    if not stream.selected:
        # Walked only for its selected children (new_parents): the SDK moves no bookmark
        # of an unselected stream, so every run would read every parent again. The
        # bookmark then means "children read up to here"; the scope says so
        # (``scope_of``), and a run that selects the stream reads it again.
        state["replication_key"] = key
        state["replication_key_value"] = row.get(key)


def walk_start(stream: LexfulStream, context: Context | None) -> str | None:
    """Where an incremental walk starts: the bookmark (or start_date) less the lookback."""
    if not stream.replication_key:
        return None
    start = stream.get_starting_timestamp(context)
    if start is None:
        return None
    lookback = timedelta(seconds=int(stream.config.get("lookback_seconds") or 0))
    return contract.format_timestamp(start - lookback)


def note_scope(stream: LexfulStream, context: Context | None) -> None:
    """A first run's bookmark is made under this run's settings: its scope says so."""
    if stream.incremental:
        stream.get_context_state(context).setdefault(SCOPE, scope_of(stream))


class Advance:
    """How a stream's bookmark moves as its records are written (``mark_emitted``).

    Children are synced, and their STATE written, between ``emitting`` and the parent's
    RECORD: with children the place noted is the previous record's, the one written, and the
    last one is noted by ``written`` once the walk ends.
    """

    def __init__(self, stream: LexfulStream) -> None:
        self.stream = stream
        self.held: dict[str, Any] | None = None  # with children: the record being synced

    def start(self) -> None:
        self.held = None

    def emitting(self, row: dict[str, Any], context: Context | None) -> None:
        """``row`` is about to be written."""
        if not self.stream.selected_children:
            mark_emitted(self.stream, row, context)
            return
        previous, self.held = self.held, row
        if previous is not None:
            mark_emitted(self.stream, previous, context)

    def written(self, context: Context | None) -> None:
        """The walk ended: the record held back (with children) is written now."""
        if self.held is not None:
            mark_emitted(self.stream, self.held, context)
        self.held = None


def resume_position(stream: LexfulStream, context: Context | None) -> Position | None:
    """Where the last run stopped, to skip what it emitted at its bookmark's moment.

    None without a bookmark, with ``lookback_seconds`` (a deliberate re-read), or with a
    state of an older version (which then re-reads the records at its bookmark).
    """
    if not stream.replication_key or stream.config.get("lookback_seconds"):
        return None
    state = stream.get_context_state(context)
    last = state.get(LAST_EMITTED)
    if state.get("replication_key") != stream.replication_key or not isinstance(last, dict):
        return None
    value, record_id = last.get("replication_key_value"), last.get("id")
    if not isinstance(value, str) or not isinstance(record_id, str):
        return None
    return Position(contract.sortable_timestamp(value), record_id)
