"""Lightfield's fault settings: the core's, plus how far the list index lags behind writes."""

from __future__ import annotations

from dataclasses import dataclass

from connector_core.sandbox.faults import Faults


@dataclass
class LightfieldFaults(Faults):
    """The core's faults and ``index_lag_ms``: lists show a write only that long after it.

    The docs warn that lists come from a search index that may lag; retrieve always reads the
    record itself. 0 (the default) means lists are current.
    """

    index_lag_ms: float = 0.0
