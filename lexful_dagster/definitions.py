"""The Dagster code location: ``dagster dev -m lexful_dagster.definitions``.

The accounts file is ``$LEXFUL_DAGSTER_CONFIG`` (default ``lexful-dagster.yml`` in the working
directory); see ``lexful_dagster.config`` for its format.
"""

from __future__ import annotations

from lexful_dagster import config
from lexful_dagster.assets import build_definitions

CONFIG_ENV = config.CONFIG_ENV
config_path = config.config_path

defs = build_definitions(config.load(config_path()))
