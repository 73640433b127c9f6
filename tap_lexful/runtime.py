"""What every stream of one tap-lexful run shares: the core's runtime and progress counters
(``connector_core.tap.runtime``), with a ``LexfulClient`` as the client."""

from connector_core.tap import PROGRESS_EVERY_S, Progress, Runtime, run_now, wait_for

__all__ = ["PROGRESS_EVERY_S", "Progress", "Runtime", "run_now", "wait_for"]
