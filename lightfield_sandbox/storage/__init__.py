"""SQLite storage: workspaces and keys, records with their index versions, idempotency."""
