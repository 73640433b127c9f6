"""The API's resources: the rules a body must follow and the writes it makes, one module each.

Functions here take ``(store, account_id, user_id, ...)`` and raise ``ApiError``; they know
nothing of HTTP, so the seed and tests call them directly.
"""
