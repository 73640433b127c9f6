"""Sharded Lexful runs on Dagster: one account or many, each split into shards of organizations.

``lexful_dagster.definitions:defs`` is the code location. Each configured account is an asset
partitioned by its shards (``config``); a partition runs ``meltano run --state-id-suffix
<account>.<shard> tap-lexful <loader>`` through Dagster Pipes (``pipes_job``), with the
organizations the shard plan gives it (``plan``) and the selection of its shard (``shards``).
"""
