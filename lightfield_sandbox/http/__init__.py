"""The HTTP side: Lightfield's routes on the core's app, key authentication, idempotency."""
