"""``python -m tap_lightfield``: the tap's command line."""

from tap_lightfield.tap import TapLightfield

TapLightfield.cli()
