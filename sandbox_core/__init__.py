"""What every local API sandbox shares, whatever API profile it serves.

- ``faults``: injected latency, errors, dropped connections, a rate budget, test hooks, and
  request statistics, as one ASGI middleware around a profile's app;
- ``app``: the Starlette app around a profile's routes (error handlers, crash guard, faults);
- ``server``, ``harness``, ``cli``: serving on port 0 with a first-line JSON, in a thread or a
  child process, and the ``Sandbox``/``running_sandbox`` shape tests use;
- ``admin``: the ``/_admin`` endpoints that control a sandbox in a child process;
- ``errors``, ``codec``, ``clock``, ``bodies``, ``presign``: the small shared pieces.

A profile supplies its routes, its error body (``Renderer``) and how requests count against
the rate budget (``RateKey``). This package imports nothing of any profile, and
``errors``, ``codec`` and ``clock`` import no web server (a profile's lower layers use them).
"""
