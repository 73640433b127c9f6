"""JSON in and out, with msgspec: the sandboxes' records are stored and served as JSON text."""

from __future__ import annotations

from typing import Any

import msgspec

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def dumps(value: Any) -> bytes:
    return _encoder.encode(value)


def loads(data: bytes | str) -> Any:
    return _decoder.decode(data)
