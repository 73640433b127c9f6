"""source-lexful and destination-lexful: tap-lexful and target-lexful under the Airbyte protocol.

A thin adapter, not a second implementation: each Airbyte command runs the Singer connector
installed next to the running interpreter as a child process and translates its messages (see
``mapping`` for the protocol mapping, ``source`` and ``destination`` for the two connectors).
It needs the ``airbyte`` extra (airbyte-cdk); the Singer connectors do not.
"""
