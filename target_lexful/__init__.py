"""target-lexful: a Singer target that writes to the Lexful API.

Where to start reading:

- ``target.py``: the settings, the wiring, the SDK's hooks (drains, STATE, end of input);
- ``sinks.py``: one stream's records, batched and handed to the write engine;
- ``engine/``: the write engine; its docstring draws the path a record takes;
- ``connector_core.target`` (shared with target-lightfield): the id map and the rejects file
  on disk, the reader (bad input becomes rejects), the STATE gate, the waves that park and
  release records waiting for a reference, the pool, the file-source rules.
"""
