"""The core both API profiles share: Lexful's and Lightfield's connectors are built on it.

What is the same for every API we connect to lives here once; what is one API's own lives in
its packages (``lexful_*``, ``lightfield_*``). ``connector_core.sandbox`` is the local API
servers' shared half (fault layer, server harness, admin endpoints); it needs the ``sandbox``
extra, so nothing a plugin imports may import it.
"""
