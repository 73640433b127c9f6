"""The taps' shared half: the run's client and pool, the ordered concurrent page walker,
progress and per-stream summaries, and the SDK logging hooks of a stream.

Nothing here knows one API: a stream hands the walker ``fetch(token) -> Page`` and
``position(record)``; the client is ``connector_core.http.HttpClient`` with the API's profile.
"""
