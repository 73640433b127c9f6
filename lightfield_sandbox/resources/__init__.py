"""The rules and writes of each resource, without HTTP: definitions, values, entities, lists,
files, workspaces, and the list query."""
