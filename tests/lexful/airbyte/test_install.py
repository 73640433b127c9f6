"""The airbyte extra next to the Singer connectors: nothing of theirs changes.

airbyte-cdk requires ``backoff``; singer-sdk requires ``python-backoff``, a fork that installs
the same ``backoff`` package. pip lets the last one installed win, so ``make install``
reinstalls python-backoff after the extra: singer-sdk's ``backoff`` stays its own (airbyte-cdk
only uses what both have: ``on_exception``, ``expo``, ``constant``).
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from importlib.metadata import distribution

import pytest

pytest.importorskip("airbyte_cdk", reason="the airbyte extra is not installed")

from tests.lexful.airbyte.helpers import BIN


def test_the_sdks_backoff_is_python_backoffs_own_files() -> None:
    dist = distribution("python-backoff")
    files = [f for f in dist.files or [] if f.hash is not None and str(f).startswith("backoff/")]
    assert files
    changed = []
    for file in files:
        assert file.hash is not None
        digest = hashlib.new(file.hash.mode, file.locate().read_bytes()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != file.hash.value:
            changed.append(str(file))
    assert changed == [], "backoff was overwritten by another distribution: run `make install`"


def test_the_singer_connectors_load_without_airbyte() -> None:
    code = (
        "import sys, tap_lexful.tap, target_lexful.target\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'airbyte_cdk', 'airbyte_lexful'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_commands_are_installed_next_to_the_singer_ones() -> None:
    for name in ("source-lexful", "destination-lexful", "tap-lexful", "target-lexful"):
        assert (BIN / name).exists(), name
