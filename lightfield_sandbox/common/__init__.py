"""The bottom layer: the error answer and IDs; no storage, no HTTP."""
