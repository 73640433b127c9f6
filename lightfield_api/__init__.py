"""What the Lightfield connectors know of the Lightfield API.

``contract`` holds every assumption ([A] in ``docs/lightfield-api.md``) and the shared shapes
(paths, header names, the list envelope, the error body), for the sandbox now and the tap and
the target later. It imports no web server and nothing of a sandbox.
"""
