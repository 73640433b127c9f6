"""Fixtures of the security tests: a HOME whose .netrc would hand its password to any host."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def netrc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME with a .netrc whose default password would go to any host (commands run from the
    test inherit it)."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("default login netrc-user password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    return tmp_path
