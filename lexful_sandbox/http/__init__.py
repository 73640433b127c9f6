"""The HTTP side: the Starlette app, its routes, the fault middleware, tokens and signed URLs.

``deps`` hands every API route its authenticated ``Caller``; ``routes`` holds one module per
resource; ``server`` builds a sandbox and serves it with uvicorn.
"""
