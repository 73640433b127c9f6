"""The singer-sdk standard tap tests, on every stream, against the Lightfield demo sandbox.

``get_tap_test_class`` runs discovery while pytest collects this module, so the sandbox is
started at import, before the class is built, and stopped when the interpreter exits.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from lightfield_sandbox import running_sandbox
from tap_lightfield.tap import TapLightfield
from tests.lightfield.tap.helpers import tap_config

_stack = ExitStack()
atexit.register(_stack.close)
_sandbox = _stack.enter_context(running_sandbox(seed="demo"))

TestTapLightfield = get_tap_test_class(
    tap_class=TapLightfield,
    config=tap_config(_sandbox.config, start_date="2000-01-01T00:00:00Z"),
    suite_config=SuiteConfig(max_records_limit=40),
)
