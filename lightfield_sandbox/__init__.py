"""A local Lightfield API server (a CRM) for development and tests, on the shared core.

It needs the ``sandbox`` extra, as ``lexful_sandbox`` does. ``docs/lightfield-api.md`` is the
contract it serves; ``lightfield_api.contract`` holds its assumptions.
"""

try:
    from lightfield_sandbox.testing import Sandbox, running_sandbox
    from sandbox_core.faults import HookAnswer
except ModuleNotFoundError as exc:  # pragma: no cover - only without the extra
    if exc.name not in ("starlette", "uvicorn"):
        raise
    extra = "lexful-lightfield-connectors[sandbox]"
    msg = f"lightfield_sandbox needs {exc.name}: pip install '{extra}'"
    raise ModuleNotFoundError(msg, name=exc.name) from exc

__all__ = ["HookAnswer", "Sandbox", "running_sandbox"]
