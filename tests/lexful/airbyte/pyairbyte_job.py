"""A PyAirbyte job, run by the tests with PyAirbyte's own interpreter (.venv-pyairbyte).

PyAirbyte pins SQLAlchemy below the version singer-sdk resolves to, so it lives in a venv of
its own, like Meltano, and drives source-lexful and destination-lexful as local executables,
as a user's job would. Usage: ``python pyairbyte_job.py JOB.json``; prints a JSON result.

- ``read``: the source into a DuckDB cache (the same cache again reads incrementally); the
  records each stream brought in this read, and how many the cache holds.
- ``copy``: the source straight into the destination (no cache on the way, so what reaches the
  destination is what the source read).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

# Before airbyte is imported: no registry lookups, no telemetry.
os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
os.environ["DO_NOT_TRACK"] = "1"

import airbyte as ab
from airbyte.caches import DuckDBCache


def read(job: dict[str, Any]) -> dict[str, Any]:
    """Options: ``streams`` (default every one), ``write_strategy`` (default auto: merge on the
    key) and ``count_by`` ({stream: column}: the cached rows of a stream per value)."""
    source = ab.get_source("source-lexful", config=job["config"], local_executable=job["source"])
    source.select_streams(job.get("streams", "*"))
    db_path = Path(job["cache"])
    cache = DuckDBCache(db_path=db_path, cache_dir=db_path.parent / "files")
    result = source.read(cache=cache, write_strategy=job.get("write_strategy", "auto"))
    tracker = result._progress_tracker  # per-stream counts of this read: no public accessor
    counted = {
        stream: cache.get_pandas_dataframe(stream)[column].value_counts().to_dict()
        for stream, column in (job.get("count_by") or {}).items()
    }
    return {
        "read": dict(tracker.stream_read_counts),
        "processed": result.processed_records,
        "cached": {name: len(dataset) for name, dataset in cache.streams.items()},
        "counted": counted,
    }


def copy(job: dict[str, Any]) -> dict[str, Any]:
    source = ab.get_source(
        "source-lexful", config=job["config"], local_executable=job["source"], streams="*"
    )
    destination = ab.get_destination(
        "destination-lexful", config=job["destination_config"], local_executable=job["destination"]
    )
    result = destination.write(source, cache=False)
    return {"processed": result.processed_records}


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    result = {"read": read, "copy": copy}[job["action"]](job)
    # PyAirbyte prints its progress on stdout too: the result is the last line.
    print("\n" + json.dumps(result))


if __name__ == "__main__":
    main()
