"""The targets' shared half: what makes a Singer target safe to stop, resume and feed bad input.

Nothing here knows one API:

- ``reader`` (bad input becomes rejects, ``hostile`` values refused) and ``state_gate`` (STATE
  held until every record read before it is written or rejected);
- ``id_map`` / ``id_map_schema``: the SQLite id map (source ids to destination ids, write
  intents, records waiting for a reference, rejects of an unfinished run);
- ``waves``: a batch written in waves, records whose references are not written yet parked in
  the id map and released once they are;
- ``base``: ``GuardedTarget``, the SDK target with the above wired in (drains, STATE, signals,
  end of input, summary);
- ``rejects`` (the rejects file), ``pool`` (worker threads, each error sorted by whose it is),
  ``errors`` (``RecordError``), ``stats`` (the per-stream summary), ``values`` (JSON-safe
  copies, hashes, redaction), ``file_sources`` (where a file's bytes may come from) and
  ``file_content`` (a file record's bytes, loaded by those rules).

An API's target (``target_lexful``, ``target_lightfield``) adds its routing, its handlers and
its settings.
"""
