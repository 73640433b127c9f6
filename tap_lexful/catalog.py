"""A saved catalog against the streams of today's account.

A catalog ages: an asset type created after it was saved is a stream it does not list, and a
type deleted since is a stream it lists that the account no longer has. Neither stops a run:

- a discovered stream the catalog does not list is not selected (the SDK's rule), yet it may
  be walked for the children of its assets (``related_assets``, ``files``); the SDK then hands
  its records to the stream mapper, which knows only the catalog's streams (``KeyError``).
  It is registered with the mapper here, so it is walked and not emitted;
- a stream the catalog lists that the account does not have is skipped, with one warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from singer_sdk.exceptions import MapperNotInitialized

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.streams import Stream


def reconcile(tap: Tap, streams: Mapping[str, Stream]) -> None:
    """Warn of the catalog's unknown streams; give the mapper the streams it lacks."""
    catalog = tap.input_catalog
    if catalog is None:
        return  # no catalog: every stream is the tap's own, and all are registered
    listed = {entry.stream or entry.tap_stream_id for entry in catalog.streams}
    unknown = sorted(listed - streams.keys())
    if unknown:
        tap.logger.warning(
            "The catalog lists %d stream(s) the account does not have, skipped: %s "
            "(an asset type deleted since the catalog was made; discover again to refresh it)",
            len(unknown),
            ", ".join(unknown),
        )
    try:
        mapper = tap.mapper
    except MapperNotInitialized:
        return  # --discover and --about: nothing is synced
    unlisted = [name for name in streams if name not in listed]
    for name in unlisted:
        if name not in mapper.stream_maps:
            stream = streams[name]
            mapper.register_raw_stream_schema(name, stream.schema, stream.primary_keys)
    if unlisted:  # an Airbyte catalog lists only the configured streams: not a warning
        tap.logger.info(
            "Streams the catalog does not list, not emitted (walked for their children when "
            "those are selected): %s",
            ", ".join(unlisted),
        )
