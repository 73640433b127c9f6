"""A list answer whose bytes are few but whose records are many: ``{"items":[{},{},...]}``.

Memory follows what an answer parses into, not its size: 64 MB of empty objects (just under
the old 64 MiB default of ``max_response_bytes``) took tap-lexful to 1.78 GB. The default is
now 16 MiB, and a page holding more records than were asked for stops the stream with one
line. Peak RSS of the tap's process (``getrusage``), not a time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.lexful.tap.helpers import tap_config
from tests.security.hostile import Answer, Seen, hostile
from tests.security.rss import peak_rss_mib

TAP = str(Path(sys.executable).with_name("tap-lexful"))
MIB = 1024 * 1024


def empty_objects(size: int) -> bytes:
    count = (size - 20) // 3
    return b'{"items":[' + b",".join([b"{}"] * count) + b'],"total":1}'


@pytest.mark.parametrize("size", [16 * MIB - 64, 64 * MIB - 64])
def test_a_page_of_empty_objects_stays_bounded(
    empty_account: dict[str, Any], tmp_path: Path, size: int
) -> None:
    body = empty_objects(size)

    def route(seen: Seen, forward: Any) -> Answer | None:
        if seen.path.startswith("/v1/organizations"):
            return Answer(200, {"Content-Type": "application/json"}, body)
        return None

    with hostile(route, empty_account["api_url"]) as api:
        config = tap_config({**empty_account, "api_url": api.url})
        del config["page_size"]  # the default: 1000 records a page
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        peak, output = peak_rss_mib([TAP, "--config", str(path)])
    last = output.strip().splitlines()[-1]
    assert "Stream 'organizations'" in last, output[-2000:]
    assert "page_size" in last or "max_response_bytes" in last, output[-2000:]
    assert peak < 700, f"peak RSS {peak:.0f} MiB"  # measured: 481 MiB at 16 MiB, was 1.78 GB
