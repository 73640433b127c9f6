"""The core both API profiles share: Lexful's and Lightfield's connectors are built on it.

What is the same for every API we connect to lives here once; what is one API's own lives in
its packages (``lexful_*``, ``lightfield_*``). The local API servers' shared half (fault
layer, server harness, admin endpoints) is a package of its own beside this one,
``sandbox_core``: it needs the ``sandbox`` extra, so neither this core nor any plugin imports it.
"""

# The declared surface: what plugins may import (tests/test_layout.py checks it).
from __future__ import annotations

from connector_core import probe, safe_files, scrub
from connector_core.download import Downloaded, InDirectory, Inline, download_file
from connector_core.http import ApiProfile, BodyTooLarge, HttpClient
from connector_core.names import stream_name
from connector_core.presigned import PresignedUrls, file_hosts_property, upload_headers
from connector_core.probe import (
    NOTHING,
    PROBE_MAX_TRIES,
    PROBE_TIMEOUT_S,
    Check,
    Report,
    Step,
    Stop,
    Verdict,
    load_config,
    not_the_api,
    print_report,
    probe_config,
    probe_parser,
    run_checks,
    unreachable,
)
from connector_core.safe_http import DEFAULT_MAX_PAGES, DEFAULT_MAX_RESPONSE_BYTES, path_segment
from connector_core.settings import (
    DEFAULT_MAX_CONCURRENCY,
    DISTRIBUTION,
    client_options,
    concurrency_property,
    max_concurrency,
    request_properties,
    setting_error,
    user_agent_property,
)
from connector_core.stops import STOP_PREFIX, OneLineStop, OneLineStopTap, OneLineStopTarget
from connector_core.timestamps import iso_millis

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DISTRIBUTION",
    "NOTHING",
    "PROBE_MAX_TRIES",
    "PROBE_TIMEOUT_S",
    "STOP_PREFIX",
    "ApiProfile",
    "BodyTooLarge",
    "Check",
    "Downloaded",
    "HttpClient",
    "InDirectory",
    "Inline",
    "OneLineStop",
    "OneLineStopTap",
    "OneLineStopTarget",
    "PresignedUrls",
    "Report",
    "Step",
    "Stop",
    "Verdict",
    "client_options",
    "concurrency_property",
    "download_file",
    "file_hosts_property",
    "iso_millis",
    "load_config",
    "max_concurrency",
    "not_the_api",
    "path_segment",
    "print_report",
    "probe",
    "probe_config",
    "probe_parser",
    "request_properties",
    "run_checks",
    "safe_files",
    "scrub",
    "setting_error",
    "stream_name",
    "unreachable",
    "upload_headers",
    "user_agent_property",
]
