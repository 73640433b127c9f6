"""The SDK's standard target tests, against the sandbox over real HTTP.

Their streams (test_array_data, TestCamelcase, ...) name nothing in Lexful, so every one is
mapped (stream_asset_types) to a custom asset type created in a fresh account. Their records
have neither an organization nor that type's properties, so the API refuses them (400) and
they end in the rejects file: what these tests check is that no input shape kills the run.

Two suites, because the SDK expects an exception for three inputs that target-lexful rejects
and goes on from by default (on_record_error=reject); with on_record_error=fail it raises
the SDK's own exception, which is what those three tests assert.

Left out: TargetMultipleStateMessages asserts that STATE follows the SDK's own drain points;
target-lexful drains every batch_size_rows records or 30 seconds (see test_references and
test_resume for its STATE behaviour).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from singer_sdk.testing import get_target_test_class
from singer_sdk.testing import target_tests as sdk
from singer_sdk.testing.suites import SingerTestSuite

from lexful_api import LexfulClient, contract
from target_lexful.target import TargetLexful

SDK_STREAMS = (
    "test_array_data",
    "TestCamelcase",
    "ForecastingTypeToCategory",
    "test_duplicate_records",
    "test_strings",
    "test_strings_in_arrays",
    "test_strings_in_objects",
    "test_invalid_schema",
    "test_no_pk",
    "test_optional_attributes",
    "example_stream",
    "test_record_before_schema",
    "record_missing_fields",
    "test_record_missing_key_property",
    "test_record_missing_required_property",
    "test_object_schema_no_properties",
    "test_object_schema_with_properties",
    "test_schema_updates",
    "test:SpecialChars!in?attributes",
)
SDK_TYPE = "sdk_test_record"

reject_suite = SingerTestSuite(
    kind="target",
    tests=[
        sdk.TargetArrayData,
        sdk.TargetCamelcaseComplexSchema,
        sdk.TargetCamelcaseTest,
        sdk.TargetCliPrintsTest,
        sdk.TargetDuplicateRecords,
        sdk.TargetEncodedStringData,
        sdk.TargetNoPrimaryKeys,
        sdk.TargetOptionalAttributes,
        sdk.TargetPrimaryKeyUpdates,
        sdk.TargetRecordMissingOptionalFields,
        sdk.TargetRecordMissingRequiredProperty,
        sdk.TargetSchemaNoProperties,
        sdk.TargetSchemaUpdates,
        sdk.TargetSpecialCharsInAttributes,
    ],
)
fail_suite = SingerTestSuite(
    kind="target",
    tests=[
        sdk.TargetInvalidSchemaTest,
        sdk.TargetRecordBeforeSchemaTest,
        sdk.TargetRecordMissingKeyProperty,
    ],
)

# Filled in by the resource fixtures: the SDK takes the config when the class is defined,
# before any sandbox runs, and reads it when each test starts.
REJECT_CONFIG: dict[str, Any] = {}
FAIL_CONFIG: dict[str, Any] = {}


def _prepare(
    config: dict[str, Any], account: dict[str, Any], client: LexfulClient, tmp: Path, **extra: Any
) -> None:
    client.send_json(
        "POST",
        contract.asset_types_path(),
        {"name": SDK_TYPE, "properties": [{"name": "name", "type": "string"}], "references": []},
    )
    config.clear()
    config.update(
        account,
        stream_asset_types=dict.fromkeys(SDK_STREAMS, SDK_TYPE),
        id_map_path=str(tmp / "id-map.sqlite"),
        rejects_path=str(tmp / "rejects.jsonl"),
        **extra,
    )


class TestStandardTargetSuite(
    get_target_test_class(
        TargetLexful, config=REJECT_CONFIG, custom_suites=[reject_suite], include_target_tests=False
    )
):
    @pytest.fixture
    def resource(self, empty_account: dict[str, Any], client: LexfulClient, tmp_path: Path) -> Any:
        _prepare(REJECT_CONFIG, empty_account, client, tmp_path)
        return tmp_path


class TestStandardTargetSuiteFailMode(
    get_target_test_class(
        TargetLexful, config=FAIL_CONFIG, custom_suites=[fail_suite], include_target_tests=False
    )
):
    @pytest.fixture
    def resource(self, empty_account: dict[str, Any], client: LexfulClient, tmp_path: Path) -> Any:
        _prepare(FAIL_CONFIG, empty_account, client, tmp_path, on_record_error="fail")
        return tmp_path
