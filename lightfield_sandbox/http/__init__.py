"""The HTTP side: Lightfield's routes on sandbox_core's app, key authentication, idempotency."""
