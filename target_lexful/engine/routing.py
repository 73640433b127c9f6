"""Which kind of Lexful record a stream writes: organizations, an asset type, links, ..."""

from __future__ import annotations

from connector_core.target import RecordError
from target_lexful.engine.destination_cache import DestinationCache
from target_lexful.engine.model import ASSET, SPECIAL_STREAMS, Route


def route(stream: str, stream_asset_types: dict[str, str], destination: DestinationCache) -> Route:
    """The mapping of ``stream_asset_types`` first, then the stream's own name."""
    mapped = stream_asset_types.get(stream)
    name = mapped or stream
    if name in SPECIAL_STREAMS:
        return Route(name)
    if mapped:
        if destination.asset_type(mapped) is None:
            msg = (
                f"stream_asset_types maps {stream!r} to {mapped!r}, "
                "which is no asset type of the account"
            )
            raise RecordError(msg)
        return Route(ASSET, mapped)
    asset_type = destination.type_for_stream(stream)
    if asset_type is None:
        msg = (
            f"stream {stream!r} matches no Lexful resource or asset type "
            "(map it with stream_asset_types)"
        )
        raise RecordError(msg)
    return Route(ASSET, asset_type)
