"""The API's own counts: the ``asset_counts`` stream, and the reconciliation of a full read.

``GET /v1/entities/counts`` [D] says how many (live) assets of each type each organization
has. The ``asset_counts`` stream emits them (type, organization, count, when read) so that a
warehouse can check itself. And after a full read of an asset stream (no bookmark, no
``start_date``, no filter) the tap compares what it emitted with those counts, organization by
organization: a difference is a warning naming the stream, the organization and both numbers,
or, with ``reconcile: fail``, the end of the run. ``reconcile: off`` skips the check (and its
one request per asset stream).

Records created or deleted during the read can make a difference that is no loss: the
counts are read right after the walk, so only such a race, or a list that loses records,
shows as one. A record the walk emitted live and the deletes pass of the same run then
emitted as deleted is not counted: the API no longer counts it either.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import typing as th
from typing_extensions import override

from lexful_api import LexfulError, contract
from tap_lexful import bookmarks, filter_trees
from tap_lexful.client import LexfulStream

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context

SETTING = "reconcile"
MODES = ("warn", "fail", "off")

ASSET_COUNT = th.PropertiesList(
    th.Property("asset_type", th.StringType, required=True, description="The type's name."),
    th.Property("organization_id", th.UUIDType, required=True),
    th.Property("count", th.IntegerType, description="Live assets of the type in the org."),
    th.Property("read_at", th.DateTimeType, description="When the tap read the count."),
)


def read_counts(stream: LexfulStream, asset_type: str | None = None) -> dict[str, dict[str, int]]:
    """The API's counts (of one type, or all); an error names the stream and the request."""
    params = {"entity_type": asset_type} if asset_type else None
    try:
        body = stream.runtime.client.get_json(contract.entity_counts_path(), params)
    except LexfulError as exc:
        raise stream.stream_error(stream.name, exc) from None
    return contract.entity_counts(body)


class AssetCountsStream(LexfulStream):
    """One record per asset type and organization: the API's own count of its assets."""

    name = "asset_counts"
    path = contract.entity_counts_path()
    properties = ASSET_COUNT
    primary_keys = ("asset_type", "organization_id")
    selects_fields = False
    sync_order = 85  # after the assets, before users (the last)

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        read_at = contract.format_timestamp(datetime.now(timezone.utc))
        wanted = set(self.config.get("asset_types") or [])
        organizations = set(self.config.get("organization_ids") or [])
        self.progress.start()
        for asset_type, counts in sorted(read_counts(self).items()):
            if wanted and asset_type not in wanted:
                continue
            for organization_id, count in sorted(counts.items()):
                if organizations and organization_id not in organizations:
                    continue
                self.progress.advance(1)
                yield {
                    "asset_type": asset_type,
                    "organization_id": organization_id,
                    "count": count,
                    "read_at": read_at,
                }
        self.log_summary()


class Reconciliation:
    """One asset stream's check: ``saw`` each record emitted, ``finish`` after the walk."""

    full_reads_only: ClassVar[str] = "no bookmark, no start_date, no filter"

    def __init__(self, stream: LexfulStream, asset_type: str, context: Context | None) -> None:
        self.stream = stream
        self.asset_type = asset_type
        self.mode = str(stream.config.get(SETTING, "warn"))
        self.on = self.mode != "off" and self._full_read(context)
        self.emitted: Counter[Any] = Counter()
        self.live: set[Any] = set()  # the ids emitted live, to take back those deleted since

    def _full_read(self, context: Context | None) -> bool:
        s = self.stream
        filtered = s.config.get("filters", {}).get(s.name) or filter_trees.tree_of(s.config, s.name)
        if bookmarks.walk_start(s, context) is not None or filtered:
            return False
        fields = s.api_fields()
        return fields is None or "organization_id" in fields

    def saw(self, record: dict[str, Any]) -> None:
        if not self.on:
            return
        # By the API's values; made text once, in ``finish``, not once per record.
        organization, record_id = record.get("organization_id"), record.get("id")
        if not record.get("deleted_at"):
            self.emitted[organization] += 1
            self.live.add(record_id)
        elif record_id in self.live:  # emitted live, then deleted during the read
            self.live.discard(record_id)
            self.emitted[organization] -= 1

    def finish(self) -> None:
        if not self.on:
            return
        counted = read_counts(self.stream, self.asset_type).get(self.asset_type, {})
        by_id: Counter[str] = Counter()
        for organization, count in self.emitted.items():
            by_id[str(organization)] += count
        self.emitted = by_id
        organizations = set(self.stream.config.get("organization_ids") or [])
        differences = [
            (org, self.emitted.get(org, 0), counted.get(org, 0))
            for org in sorted(set(counted) | set(self.emitted))
            if (not organizations or org in organizations)
            and self.emitted.get(org, 0) != counted.get(org, 0)
        ]
        for org, emitted, count in differences:
            message = (
                f"Stream '{self.stream.name}': organization {org}: emitted {emitted} records, "
                f"the API counts {count} (GET {contract.entity_counts_path()})"
            )
            if self.mode == "fail":
                raise self.stream.stream_error(
                    self.stream.name,
                    LexfulError(
                        f"reconcile: organization {org}: emitted {emitted} records, the API "
                        f"counts {count}"
                    ),
                )
            self.stream.logger.warning(message)
