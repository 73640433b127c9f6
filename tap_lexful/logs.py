"""What a tap-lexful stream logs: the core's ``LoggedStream`` (``connector_core.tap.logs``)."""

from connector_core.tap import LoggedStream

__all__ = ["LoggedStream"]
