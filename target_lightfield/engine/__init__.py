"""The write engine: how a record read by target-lightfield ends up in Lightfield (or in the
rejects). The same shape as target-lexful's (``target_lexful.engine``); "core" is
``connector_core.target``, which both targets share.

The path of one record (module names in brackets)::

    reader [core: reader.py]    a line: checked, or turned into a reject; counts its position
      |
    sink [../sinks.py]          batches one stream's records (batch_size_rows)
      |
    LightfieldWriteEngine.write_batch [write_engine.py]
      |
      +- route [routing.py]      stream -> a collection, its writable fields and relationships
      +- job: source id and references [write_engine.py, model.py]
      |
      |  waves, until nothing in the batch can move [core: waves.py]:
      +- resolve references      id map; a member the workspace lacks [members.py] is left
      |                          out and counted, or rejects the record (unknown_members)
      +- write, on the core pool, by kind:
      |     records.py           accounts ... meetings, custom objects, lists: create, update
      |                          (bodies.py: only what the API accepts), match_on
      |     members.py           matched by $email through member_map, never created
      |     files.py             create, PUT the bytes, complete
      |     lists.py             list memberships (add)
      |     emails.py            POST /v1/emails/log (409: already there)
      |     deletes.py           _sdc_deleted_at: the copy to the trash
      +- outcome [outcomes.py, core outcomes.py]  the id map and the counts, or the rejects
      +- release: the waiting records whose references were just written, in new waves
      |
    end of input [LightfieldWriteEngine.finish]: what still waits is rejected, naming the reference,
                                and stays parked: a later run writes it once the reference is

``settings`` holds the engine's settings; ``model`` the jobs, references and outcomes.
"""

from target_lightfield.engine.model import idempotency_key
from target_lightfield.engine.write_engine import DEFAULT_DIR, LightfieldWriteEngine

__all__ = ["DEFAULT_DIR", "LightfieldWriteEngine", "idempotency_key"]
