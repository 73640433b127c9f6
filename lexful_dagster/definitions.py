"""The Dagster code location: ``dagster dev -m lexful_dagster.definitions``.

The accounts file is ``$LEXFUL_DAGSTER_CONFIG`` (default ``lexful-dagster.yml`` in the working
directory); see ``lexful_dagster.config`` for its format.
"""

from __future__ import annotations

import os
from pathlib import Path

from lexful_dagster import config
from lexful_dagster.assets import build_definitions

CONFIG_ENV = config.CONFIG_ENV


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV, "lexful-dagster.yml"))


defs = build_definitions(config.load(config_path()))
