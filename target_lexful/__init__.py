"""target-lexful: a Singer target that writes to the Lexful API.

Where to start reading:

- ``target.py``: the settings, the wiring, the SDK's hooks (drains, STATE, end of input);
- ``sinks.py``: one stream's records, batched and handed to the write engine;
- ``engine/``: the write engine; its docstring draws the path a record takes;
- ``storage/``: what lives on disk between runs (the id map, the rejects file);
- ``reader.py`` (bad input becomes rejects, ``hostile.py``), ``state_gate.py`` (STATE held
  until what precedes it is settled), ``file_sources.py`` (where a file's bytes may come from).
"""
