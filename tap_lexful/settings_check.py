"""tap-lexful's settings, checked before the first request: each failure is one line that
names the setting.

Two steps, both callable from anywhere that holds a config (the tap runs them at discovery;
an Airbyte ``check`` can too):

- ``check_settings(config)`` needs no API: dates, ids, files, the shape of every filter;
- ``check_organization_ids(config, client)``: each id names an organization of the account;
- ``check_filters(config, streams)`` needs the streams (their fields come from the asset
  types): each filter must name a field of the endpoint it goes to, in the tap's names,
  mapped back to the API's (``FilterFields``).
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singer_sdk.exceptions import MappingError
from singer_sdk.mapper import CustomStreamMap, PluginMapper

from connector_core import HttpClient, safe_files
from lexful_api import adapt, contract
from tap_lexful import map_names

#: Streams no filter may go to, and why: a filter there would remove whole streams.
UNFILTERABLE = {
    "asset_types": (
        "refused: the asset types are what the asset streams are built from, so a filter "
        "would remove whole streams; choose them with the asset_types setting"
    ),
}
_SCALARS = (str, int, float, bool, type(None))


class SettingError(ValueError):
    """A setting that cannot work: one line, starting with the setting's name."""


@dataclass(frozen=True)
class FilterFields:
    """The fields one endpoint filters on, in the tap's record names.

    ``fields``: the record's fields that are the API's under the same name; ``renamed``: a
    record field -> the API field it is (a link's ``related_asset_id`` is the API's
    ``asset_id``); ``refused``: a record field -> why no filter can take it (the tap made it).
    """

    fields: frozenset[str]
    renamed: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, str] = field(default_factory=dict)

    def api_field(self, name: str) -> str:
        """The API's name of a record field, or ``ValueError`` saying why there is none."""
        if name in self.refused:
            raise ValueError(self.refused[name])
        if name in self.renamed:
            return self.renamed[name]
        if name in self.fields:
            return name
        msg = f"the stream has no field {name!r}"
        raise ValueError(msg)


def check_settings(config: Mapping[str, Any]) -> None:
    """The settings that need no request; ``SettingError`` for the first that cannot work."""
    if config.get("files_content") == "directory":
        _check_files_dir(config.get("files_dir"))
    _check_start_date(config.get("start_date"))
    _check_organization_ids(config.get("organization_ids"))
    _check_filter_shapes(config.get("filters"))
    check_flattening(config)


def check_flattening(config: Mapping[str, Any]) -> None:
    """The SDK's mapper refuses flattening without a depth with "Flattening is misconfigured",
    naming neither setting."""
    if config.get("flattening_enabled") and config.get("flattening_max_depth") is None:
        raise SettingError(
            "flattening_enabled: true needs flattening_max_depth (how many levels of nested "
            "objects to flatten, e.g. 1)"
        )


def check_filters(config: Mapping[str, Any], streams: Mapping[str, FilterFields]) -> None:
    """Every filter names a stream, and a field its endpoint filters on, with a known
    operator; ``streams`` maps each stream's name to its fields."""
    for stream_name, entries in (config.get("filters") or {}).items():
        if stream_name in UNFILTERABLE:
            raise SettingError(f"filters.{stream_name}: {UNFILTERABLE[stream_name]}")
        fields = streams.get(stream_name)
        if fields is None:
            msg = f"filters: no stream named {stream_name!r}; streams: {sorted(streams)}"
            raise SettingError(msg)
        for key in entries:
            try:
                api_filter_key(key, fields)
            except ValueError as exc:
                raise SettingError(f"filters.{stream_name}: {key!r}: {exc}") from None


def check_organization_ids(config: Mapping[str, Any], client: HttpClient) -> None:
    """Every id of ``organization_ids`` names an organization of the account (a deleted one
    too: its assets stay); one request per ``contract.BULK_LIMIT`` ids (each a page)."""
    wanted = [str(item) for item in config.get("organization_ids") or []]
    found: set[str] = set()
    for start in range(0, len(wanted), contract.BULK_LIMIT):
        chunk = wanted[start : start + contract.BULK_LIMIT]
        params = {
            "id[in]": ",".join(chunk),
            "include_deleted": "true",
            "limit": contract.BULK_LIMIT,
            "offset": 0,
        }
        body = client.get_json(contract.organizations_path(), params)
        found.update(str(item.get("id")) for item in contract.list_items(body))
    unknown = [item for item in wanted if item not in found]
    if unknown:
        msg = f"organization_ids: no organization of the account has the id(s) {unknown}"
        raise SettingError(msg)


def walk_keys(config: Mapping[str, Any]) -> list[str]:
    """The sort keys a run's walks need: the replication key, and ``deleted_at`` for the
    deletes pass (``emit_deletes``)."""
    keys = [str(config.get("replication_key") or "created_at")]
    if config.get("emit_deletes", True):
        keys.append("deleted_at")
    return keys


def expect_walks(config: Mapping[str, Any], client: HttpClient) -> None:
    """Before the first request: the client learning that the API sorts on one key only
    stops the run at once (``adapt.Unsupported``) when a walk of ``config`` needs two."""
    dialect = getattr(client, "dialect", None)
    if isinstance(dialect, adapt.Dialect):
        dialect.walks = tuple(walk_keys(config))


def check_walk_orders(config: Mapping[str, Any], client: HttpClient) -> None:
    """A run whose walks the API cannot sort (one sort key only, learned from the first
    list call) stops here, before any record, with the setting that avoids them."""
    dialect = getattr(client, "dialect", None)
    if not isinstance(dialect, adapt.Dialect):
        return
    problem = adapt.walk_problem(dialect, walk_keys(config))
    if problem:
        raise adapt.Unsupported(problem)


def api_filter_key(key: str, fields: FilterFields) -> str:
    """A filter's key as the API reads it: ``field[op]`` with the API's field name."""
    name, op = contract.parse_filter_key(key)
    api_name = fields.api_field(name)
    return f"{api_name}[{op}]" if "[" in key else api_name


def _check_files_dir(value: Any) -> None:
    """``files_dir`` can take the files: made now (0700, as the first file would make it) and
    a file written and removed in it, so that a run does not fail at its first file."""
    if not value:
        raise SettingError("files_dir: required when files_content is 'directory'")
    try:
        safe_files.check_writable_dir(str(value))
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise SettingError(
            f"files_dir: {str(value)!r} cannot be created or written ({why})"
        ) from None


def check_stream_maps(
    config: Mapping[str, Any], streams: list[tuple[str, dict[str, Any], list[str]]]
) -> None:
    """Every expression of ``stream_maps`` parses, and each map fits the stream it maps, as
    the SDK's mapper will find at the start of a sync; ``streams``: (name, schema, keys)."""
    if not config.get("stream_maps"):
        return
    quiet = logging.getLogger("tap-lexful.stream_maps_check")
    quiet.setLevel(logging.WARNING)
    try:
        # A copy: the mapper takes __else__ out of the dict it is given.
        mapper = PluginMapper(plugin_config=copy.deepcopy(dict(config)), logger=quiet)
        for name, schema, keys in streams:
            mapper.register_raw_stream_schema(name, copy.deepcopy(schema), keys)
    except MappingError as exc:
        raise SettingError(f"stream_maps: {exc}") from None
    provided = set(map_names.MAPPER_NAMES)
    for maps in mapper.stream_maps.values():
        for stream_map in maps:
            if isinstance(stream_map, CustomStreamMap):
                provided.update(stream_map.functions)
                if stream_map.fake:
                    provided.add(map_names.FAKER_NAME)
    problem = map_names.unknown_name(
        config["stream_maps"],
        [(name, schema.get("properties", {})) for name, schema, _ in streams],
        provided,
    )
    if problem:
        raise SettingError(problem)


def _check_start_date(value: Any) -> None:
    if value is None:
        return
    try:
        contract.parse_timestamp(str(value))
    except ValueError:
        msg = f"start_date: {value!r} is not an ISO-8601 date or date-time (2024-01-15T00:00:00Z)"
        raise SettingError(msg) from None


def _check_organization_ids(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        raise SettingError("organization_ids: expected a list of organization ids (UUIDs)")
    for item in value:
        try:
            uuid.UUID(str(item))
        except ValueError:
            # [D] ids are UUID strings (docs/lexful-api.md, Basics)
            raise SettingError(f"organization_ids: {item!r} is not a UUID") from None


def _check_filter_shapes(value: Any) -> None:
    if not value:
        return
    if not isinstance(value, Mapping):
        raise SettingError("filters: expected an object: stream -> {field[op]: value}")
    for stream_name, entries in value.items():
        if stream_name in UNFILTERABLE:  # before discovery, which reads the asset types
            raise SettingError(f"filters.{stream_name}: {UNFILTERABLE[stream_name]}")
        if not isinstance(entries, Mapping):
            msg = f"filters.{stream_name}: expected an object of field[op] -> value"
            raise SettingError(msg)
        for key, item in entries.items():
            try:
                contract.parse_filter_key(key)
            except ValueError as exc:
                raise SettingError(f"filters.{stream_name}: {exc}") from None
            values = item if isinstance(item, list) else [item]
            if not all(isinstance(one, _SCALARS) for one in values):
                msg = (
                    f"filters.{stream_name}: {key!r}: a value is a string, number, boolean, "
                    "null, or a list of them"
                )
                raise SettingError(msg)
