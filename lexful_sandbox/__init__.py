"""A local Lexful API server for development, tests and benchmarks.

It needs the ``sandbox`` extra (``pip install 'lexful-lightfield-connectors[sandbox]'``): the
tap and the target never import it, so the plugins install no web server.
"""

try:
    from lexful_sandbox.http.faults import HookAnswer
    from lexful_sandbox.testing import Sandbox, running_sandbox
except ModuleNotFoundError as exc:  # pragma: no cover - only without the extra
    if exc.name not in ("starlette", "uvicorn"):
        raise
    msg = f"lexful_sandbox needs {exc.name}: pip install 'lexful-lightfield-connectors[sandbox]'"
    raise ModuleNotFoundError(msg, name=exc.name) from exc

__all__ = ["HookAnswer", "Sandbox", "running_sandbox"]
