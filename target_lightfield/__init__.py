"""target-lightfield: a Singer target that writes tap-lightfield's streams into a Lightfield
workspace.

- ``target.py``: the settings and the API's hooks on the shared ``GuardedTarget``;
- ``sinks.py``: one stream's records, batched and handed to the write engine;
- ``routes.py``: what a stream writes to (collection, writable fields and relationships);
- ``engine.py``: create or update each record (id map, ``match_on``, ``Idempotency-Key``),
  relationships mapped through the id map, records that wait for a reference parked.

The id map, the rejects file, the reader, the STATE gate and the waves are
``connector_core.target``'s, shared with target-lexful.
"""
