"""The sqlite store: the schema, generic record operations, and list queries compiled to SQL."""
