"""The protocol mapping, on the JSON of both protocols.

Catalogs and states are mapped here as the plain JSON both protocols exchange, without
airbyte-cdk, so that ``cli`` can start the tap before the CDK is imported. The README's
"Run it with Airbyte" section has the whole table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airbyte_lexful.singer import SECRET_KEYS, TapInputs

FULL_REFRESH = "full_refresh"
INCREMENTAL = "incremental"
# What destination-lexful can do: target-lexful creates or updates (upserts) by id, and never
# deletes a record, so neither "overwrite" nor "overwrite_dedup" can be honoured.
DESTINATION_SYNC_MODES = ("append", "append_dedup")
# The tap's settings marked secret (the spec marks them ``airbyte_secret``; a test keeps the
# two equal): their values never reach a message, even if a log line held one.
SECRET_SETTINGS = SECRET_KEYS
# Settings the adapter sets itself, left out of the spec. related_assets and files have no
# cursor the API can filter on, so discover offers them as full_refresh only, and a full refresh
# must send a stream's whole contents on every read (an overwrite destination keeps only what a
# read sent): the tap reads them for every asset of the synced types (``children:
# all_parents``), not only for the assets the run emits. It costs one request per asset and
# child stream on every read (see the README's "Run it with Airbyte").
ADAPTER_SETTINGS: dict[str, Any] = {"children": "all_parents"}

Json = dict[str, Any]


def _root_metadata(entry: Mapping[str, Any]) -> Json:
    for item in entry.get("metadata") or []:
        if not item.get("breadcrumb"):
            root: Json = item.get("metadata") or {}
            return root
    return {}


def airbyte_stream(entry: Mapping[str, Any]) -> Json:
    """A Singer catalog entry as an Airbyte stream (``discover``).

    A stream with a replication key reads incrementally, so it supports both modes, with the
    key as its source-defined cursor; a full-table stream supports ``full_refresh`` only.
    """
    root = _root_metadata(entry)
    keys = entry.get("key_properties") or root.get("table-key-properties") or []
    cursor = entry.get("replication_key") or root.get("replication-key")
    method = entry.get("replication_method") or root.get("forced-replication-method")
    stream: Json = {
        "name": entry.get("stream") or entry["tap_stream_id"],
        "json_schema": entry["schema"],
        "supported_sync_modes": [FULL_REFRESH],
        "source_defined_primary_key": [[key] for key in keys],
    }
    if cursor and method in (None, "INCREMENTAL"):
        stream["supported_sync_modes"] = [FULL_REFRESH, INCREMENTAL]
        stream["source_defined_cursor"] = True
        stream["default_cursor_field"] = [cursor]
    return stream


def airbyte_catalog(singer_catalog: Mapping[str, Any]) -> Json:
    return {"streams": [airbyte_stream(entry) for entry in singer_catalog["streams"]]}


@dataclass(frozen=True)
class ReadPlan:
    """The streams a configured catalog reads, and those that resume from their bookmark.

    A stream resumes only when it is asked for ``incremental`` and supports it: PyAirbyte asks
    ``incremental`` of every stream, and a full-table stream is then read in full.
    """

    streams: tuple[str, ...]
    incremental: frozenset[str]

    @classmethod
    def of(cls, configured: Mapping[str, Any]) -> ReadPlan:
        streams, incremental = [], set()
        for item in configured["streams"]:
            name = item["stream"]["name"]
            streams.append(name)
            supported = item["stream"].get("supported_sync_modes") or []
            if item.get("sync_mode") == INCREMENTAL and INCREMENTAL in supported:
                incremental.add(name)
        return cls(tuple(streams), frozenset(incremental))


def well_formed_catalog(configured: Any) -> bool:
    """Whether a configured catalog has what a read uses, in the protocol's types (the CDK's
    models check the rest when it reads the catalog)."""
    items = configured.get("streams") if isinstance(configured, dict) else None
    return isinstance(items, list) and all(_well_formed_item(item) for item in items)


def _well_formed_item(item: Any) -> bool:
    stream = item.get("stream") if isinstance(item, dict) else None
    return (
        isinstance(stream, dict)
        and isinstance(stream.get("name"), str)
        and isinstance(stream.get("json_schema"), dict)
        and isinstance(stream.get("supported_sync_modes"), list)
        and item.get("sync_mode") in (FULL_REFRESH, INCREMENTAL)
        and isinstance(item.get("destination_sync_mode"), str)
    )


def singer_entry(configured_stream: Mapping[str, Any]) -> Json:
    """A configured Airbyte stream as a selected Singer catalog entry."""
    stream = configured_stream["stream"]
    name = stream["name"]
    keys = [path[0] for path in stream.get("source_defined_primary_key") or []]
    cursor = (stream.get("default_cursor_field") or [None])[0]
    root: Json = {"selected": True, "inclusion": "available", "table-key-properties": keys}
    entry: Json = {
        "tap_stream_id": name,
        "stream": name,
        "schema": stream["json_schema"],
        "key_properties": keys,
        "replication_method": "FULL_TABLE",
        "metadata": [{"breadcrumb": [], "metadata": root}, *_property_metadata(stream)],
    }
    if cursor:
        # The tap keeps its own bookmark; a full refresh is asked for by giving it none.
        entry |= {"replication_key": cursor, "replication_method": "INCREMENTAL"}
        root["replication-key"] = cursor
    return entry


def _property_metadata(stream: Mapping[str, Any]) -> list[Json]:
    """Each top-level property, selected. Without its own entry, the SDK looks a property's
    selection up through its parents for every record (30,000 records: 1.19 s, now 1.15 s)."""
    properties = stream["json_schema"].get("properties") or {}
    selected = {"selected": True, "inclusion": "available"}
    return [{"breadcrumb": ["properties", name], "metadata": selected} for name in properties]


def singer_catalog(configured: Mapping[str, Any]) -> Json:
    """The Singer catalog of a configured catalog: its streams, selected; no other stream.

    With a catalog, the SDK selects no stream the catalog does not list, so there is no need to
    discover first (a second tap start-up) to deselect the others.
    """
    return {"streams": [singer_entry(item) for item in configured["streams"]]}


def _stream_states(message: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(stream, bookmark) of one incoming Airbyte state, whatever its type."""
    kind = message.get("type")
    if kind == "STREAM":
        stream = message.get("stream") or {}
        yield stream["stream_descriptor"]["name"], stream.get("stream_state")
    elif kind == "GLOBAL":
        for stream in (message.get("global") or {}).get("stream_states") or []:
            yield stream["stream_descriptor"]["name"], stream.get("stream_state")
    else:  # LEGACY: the whole Singer state, as an older version of this adapter would keep it
        yield from ((message.get("data") or {}).get("bookmarks") or {}).items()


def singer_state(states: list[Mapping[str, Any]], plan: ReadPlan) -> Json:
    """One Singer state from the incoming Airbyte states, for the streams that resume."""
    bookmarks = {
        name: bookmark
        for message in states
        for name, bookmark in _stream_states(message)
        if name in plan.incremental and bookmark
    }
    return {"bookmarks": bookmarks} if bookmarks else {}


def tap_inputs(
    config: Mapping[str, Any], configured: Mapping[str, Any], states: list[Mapping[str, Any]]
) -> TapInputs:
    """What the tap starts from for one ``read``."""
    plan = ReadPlan.of(configured)
    tap_config = dict(config) | ADAPTER_SETTINGS
    return TapInputs(tap_config, singer_catalog(configured), singer_state(states, plan))


class Bookmarks:
    """The bookmark of each stream last handed to Airbyte, so that only a change is sent."""

    def __init__(self, streams: tuple[str, ...], incoming: Mapping[str, Any]) -> None:
        self._streams = frozenset(streams)
        self._last: Json = dict(incoming.get("bookmarks") or {})

    def current(self, stream: str) -> Json:
        bookmark: Json = self._last.get(stream) or {}
        return bookmark

    def changed(self, singer_state_value: Mapping[str, Any]) -> list[tuple[str, Json]]:
        """The (stream, bookmark) pairs of a Singer STATE that differ from the last ones."""
        found = []
        for name, bookmark in (singer_state_value.get("bookmarks") or {}).items():
            if name in self._streams and self._last.get(name) != bookmark:
                self._last[name] = bookmark
                found.append((name, bookmark))
        return found


def singer_schema(configured_stream: Mapping[str, Any]) -> Json:
    """The Singer SCHEMA message a configured destination stream is written with."""
    stream = configured_stream["stream"]
    keys = configured_stream.get("primary_key") or stream.get("source_defined_primary_key") or []
    return {
        "type": "SCHEMA",
        "stream": stream["name"],
        "schema": stream["json_schema"],
        "key_properties": [path[0] for path in keys],
    }
