"""What the Lightfield connectors know of the Lightfield API.

``contract`` holds every assumption ([A] in ``docs/lightfield-api.md``) and the shared shapes
(paths, header names, the list envelope, the error body), for the sandbox, the tap and the
target. ``http`` is the client profile (bearer key, version header, error shape) on the core
client; importing this package imports no web server and nothing of a sandbox.
"""
