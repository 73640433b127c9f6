"""Lightfield's fault settings: sandbox_core's, plus how far the list index lags behind writes."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox_core.faults import Faults


@dataclass
class LightfieldFaults(Faults):
    """sandbox_core's faults and ``index_lag_ms``: lists show a write only that long after it.

    The docs warn that lists come from a search index that may lag; retrieve always reads the
    record itself. 0 (the default) means lists are current.
    """

    index_lag_ms: float = 0.0
