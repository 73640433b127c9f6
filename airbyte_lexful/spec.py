"""The Airbyte spec of each connector: the settings tap-lexful and target-lexful declare.

Only the plugin's own settings are given (see ``plugin_settings``). The Singer SDK's built-in
ones (stream maps, flattening, batch files, load methods) mean nothing to Airbyte, and their
schema holds a bare ``"null"`` inside an ``anyOf`` (``stream_maps.__else__``) that airbyte-cdk
rejects. ``additionalProperties`` stays open, so a config that sets one still runs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator, ValidationError

from airbyte_lexful.mapping import ADAPTER_SETTINGS

if TYPE_CHECKING:
    from singer_sdk.plugin_base import PluginBase

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def connection_specification(settings: Mapping[str, Any], title: str) -> dict[str, Any]:
    """A Singer settings schema as an Airbyte ``connectionSpecification``.

    The SDK marks a secret with ``secret: true``; Airbyte masks and stores a value as a secret
    when it sees ``airbyte_secret: true``.
    """
    properties = {
        name: {**schema, "airbyte_secret": True} if schema.get("secret") else dict(schema)
        for name, schema in settings["properties"].items()
    }
    return {
        "$schema": DRAFT_07,
        "title": title,
        "type": "object",
        "required": list(settings.get("required") or []),
        "properties": properties,
        "additionalProperties": True,
    }


def plugin_settings(plugin: type[PluginBase]) -> dict[str, Any]:
    """A Singer plugin's own settings schema, without the SDK's built-in settings.

    The SDK adds its built-ins to the class's ``config_jsonschema`` in place whenever it
    validates a config or prints ``--about``, so what the class holds depends on what ran
    before in the process: a setting whose schema is exactly a built-in one is left out (the
    target's own ``batch_size_rows``, which differs, stays).
    """
    builtins: dict[str, Any] = {"type": "object", "properties": {}}
    plugin.append_builtin_config(builtins)
    schema = copy.deepcopy(plugin.config_jsonschema)
    schema["properties"] = {
        name: prop
        for name, prop in schema["properties"].items()
        if builtins["properties"].get(name) != prop
    }
    return schema


def setting_errors(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Each way ``config`` breaks ``schema``, worded as the Singer SDK words a config its
    connector refuses (``<what> in config['<setting>']``), so that a ``check`` says what the
    connector's own ``read`` says."""
    return [_worded(error) for error in Draft7Validator(schema).iter_errors(config)]


def _worded(error: ValidationError) -> str:
    where = "][".join(repr(index) for index in error.path)
    return f"{error.message} in config[{where}]" if where else error.message


@cache
def source_settings() -> dict[str, Any]:
    # The tap's own declaration, read from its class: the settings are not written twice.
    from tap_lexful.tap import TapLexful  # noqa: PLC0415  (only when a spec is asked for)

    settings = plugin_settings(TapLexful)
    # The adapter sets these itself (see mapping.ADAPTER_SETTINGS): a full refresh of the child
    # streams is the all-parents pass, whatever a config would say.
    for name in ADAPTER_SETTINGS:
        settings["properties"].pop(name, None)
    return connection_specification(settings, "Lexful Source Spec")


@cache
def destination_settings() -> dict[str, Any]:
    from target_lexful.target import TargetLexful  # noqa: PLC0415  (only when asked for)

    return connection_specification(plugin_settings(TargetLexful), "Lexful Destination Spec")
