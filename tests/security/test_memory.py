"""A gzip bomb from the API: about 1 MiB on the wire, 1 GiB once inflated.

The old client inflated the whole answer into memory (a 0.8 MB body became 1.7 GB); this one
stops at ``max_response_bytes``, counted decompressed. Measured as the peak RSS of a child
process (``getrusage``), not as a time.
"""

from __future__ import annotations

import sys
import zlib

from tests.security.hostile import Answer, hostile
from tests.security.rss import peak_rss_mib

MIB = 1024 * 1024
CHILD = (
    "import sys\n"
    "from lightfield_api.http import LightfieldClient\n"
    "client = LightfieldClient(api_url=sys.argv[1], api_key='sk_lf_test_key', max_tries=1,"
    " max_response_bytes=1 << 20)\n"
    "try:\n"
    "    client.get_json('/v1/accounts')\n"
    "    print('read it all')\n"
    "except Exception as exc:\n"
    "    print(type(exc).__name__, exc)\n"
)


def gzip_bomb(inflated_mib: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip format
    zeros = b"\0" * MIB
    parts = [packer.compress(zeros) for _ in range(inflated_mib)]
    return b"".join(parts) + packer.flush()


def test_a_gzip_bomb_stops_at_the_cap_in_memory() -> None:
    bomb = gzip_bomb(1024)
    assert len(bomb) < 2 * MIB
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with hostile(lambda seen, _: Answer(200, headers, bomb)) as api:
        peak, output = peak_rss_mib([sys.executable, "-c", CHILD, api.url])
    assert "max_response_bytes" in output, output
    assert peak < 200, f"peak RSS {peak:.0f} MiB"
