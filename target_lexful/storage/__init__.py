"""What target-lexful keeps on disk between runs.

- ``id_map``: the SQLite id map of one account (source ids -> Lexful ids, write intents, the
  records waiting for a reference, the ACTIVATE_VERSION each link or file last came with);
  ``id_map_schema``: its tables and the rows read back.
- ``rejects``: the JSON-lines file of the records that could not be written, with the reason.
"""
