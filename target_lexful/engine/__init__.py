"""The write engine: how a record read by target-lexful ends up in Lexful (or in the rejects).

"core" is ``connector_core.target``, which target-lightfield shares.

The path of one record (module names in brackets)::

    reader [core: reader.py]    a line: checked, or turned into a reject; counts its position
      |
    sink [../sinks.py]          batches one stream's records (batch_size_rows)
      |
    LexfulWriteEngine.write_batch [write_engine.py]
      |
      +- route [routing.py, destination_cache.py]  stream -> organizations, an asset type, ...
      +- job: source id and references [handlers/<kind>.py]
      |
      |  waves, until nothing in the batch can move:
      +- resolve references [references.py]  id map, then the destination account's own ids
      |     in this batch     -> the next wave
      |     not written yet   -> waits on disk [core: waves.py, id_map.py park]
      +- plan [handlers/, on core pool.py]   create, update, unchanged or delete
      +- execute [handlers/, on core pool]   the writes, max_concurrency at once
      +- outcome [outcomes.py]               written: the id map and the counts [core stats]
      |                                      refused: the rejects file [core rejects.py]
      +- release: the waiting records whose references were just written, in new waves
      |
    end of input [LexfulWriteEngine.finish]: what still waits is rejected, naming the reference;
      then ACTIVATE_VERSION sweeps [versions.py] delete the links and files a full set
      no longer holds

STATE [core: state_gate.py]: a STATE is printed only once every record read before it is
written or rejected; a record that waits holds back the STATEs read after it.

The rest: ``model`` (jobs, references, plans), ``settings`` (the engine's settings),
``handlers/file_uploads`` (the three-step upload), ``handlers/base`` (what every kind of
record shares); record errors, values (JSON-safe copies, hashes, redaction), a file record's
bytes (``file_content``) and the pool are the core's.
"""
