"""A local Lexful API server for development, tests and benchmarks."""

from lexful_sandbox.faults import HookAnswer
from lexful_sandbox.testing import Sandbox, running_sandbox

__all__ = ["HookAnswer", "Sandbox", "running_sandbox"]
