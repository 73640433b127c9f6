"""Poison-proof input: a bad line costs a reject with a reason, never the run (issue 7).

Each named case sits between two good organizations, read from bytes as the CLI reads stdin;
`test_poison_fuzz.py` sends more than a thousand generated bad lines through the real CLI.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.singerlib.exceptions import InvalidInputLine

from connector_core.target.rejects import Rejects
from target_lexful.target import TargetLexful
from tests.lexful.target.helpers import org_record, read_rejects, target_config
from tests.lexful.target.poison_lines import (
    BIN,
    ORG_SCHEMA,
    deep,
    json_line,
    one_reject,
    org_holding,
    org_line,
    org_names,
    run_between_good,
    run_bytes,
)


@pytest.mark.parametrize(("value", "kind"), [(42, "a number"), ([1], "an array")])
def test_a_record_that_is_not_an_object_is_rejected(
    empty_account, client, tmp_path, value, kind
) -> None:
    bad = json_line({"type": "RECORD", "stream": "organizations", "record": value})
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    reject = one_reject(rejects, "organizations", f"record must be an object, not {kind}")
    assert reject["record"] == bad.decode()  # the raw line, to replay once fixed


def test_a_null_record_is_rejected_not_dropped(empty_account, client, tmp_path) -> None:
    bad = json_line({"type": "RECORD", "stream": "organizations", "record": None})
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    one_reject(rejects, "organizations", "record must be an object, not null")


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        (5, "stream must be a string, not a number"),
        (["x"], "stream must be a string, not an array"),
        ("", "stream must not be empty"),
    ],
)
def test_a_stream_that_is_not_a_string_is_rejected(
    empty_account, client, tmp_path, stream, reason
) -> None:
    bad = json_line({"type": "RECORD", "stream": stream, "record": org_record("Never")})
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    one_reject(rejects, None, reason)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("FOO", "unknown message type 'FOO'"), (None, "unknown message type: null"), (7, "number")],
)
def test_an_unknown_or_null_type_is_rejected(empty_account, client, tmp_path, kind, reason) -> None:
    bad = json_line({"type": kind, "stream": "organizations", "record": org_record("Never")})
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    one_reject(rejects, "organizations", reason)


def test_a_date_time_field_that_is_not_a_date_is_rejected(empty_account, client, tmp_path) -> None:
    bad = org_line("Never", founded="not a date")
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    reject = one_reject(rejects, "organizations", "invalid date or time")
    assert "'founded'" in reject["error"]
    assert reject["record"]["founded"] == "not a date"


@pytest.mark.parametrize(
    ("bad", "stream"),
    [
        (deep(5000, as_dict=False), None),  # past msgspec's own recursion limit
        (deep(150, as_dict=False), None),  # readable, but past what the writer can take
        # msgspec's depth limit differs between its builds (Python 3.13's reads this line): the
        # stream is then known; either way the line is one reject for its nesting.
        (org_holding(deep(3000, as_dict=True)), {None, "organizations"}),
        (org_holding(deep(150, as_dict=True)), "organizations"),
    ],
    ids=["array-5000", "array-150", "record-field-3000", "record-field-150"],
)
def test_deep_nesting_is_rejected(empty_account, client, tmp_path, bad, stream) -> None:
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    if isinstance(stream, set):
        assert [r["stream"] for r in rejects if r["stream"] in stream] == [rejects[0]["stream"]]
        stream = rejects[0]["stream"]
    reject = one_reject(rejects, stream, "nested")
    assert reject["record"] == bad.decode()


def test_invalid_utf8_costs_only_its_line(empty_account, client, tmp_path) -> None:
    bad = org_line("Never-\u00e9").replace(b"\\u00e9", b"\xff\xfe")
    rejects = run_between_good(empty_account, client, tmp_path, bad)
    reject = one_reject(rejects, None, "not UTF-8")
    assert "Never-\\xff\\xfe" in reject["record"]  # the bytes shown, not lost


def test_blank_lines_are_skipped_silently(empty_account, client, tmp_path) -> None:
    rejects = run_between_good(empty_account, client, tmp_path, b"\n  \r\n\t")
    assert rejects == []


def test_a_batch_message_is_rejected_and_its_manifest_not_read(
    empty_account, client, tmp_path
) -> None:
    manifest = tmp_path / "batch.jsonl"
    manifest.write_text(json.dumps(org_record("From-a-local-file")) + "\n")
    bad = {
        "type": "BATCH",
        "stream": "organizations",
        "encoding": {"format": "jsonl", "compression": "none"},
        "manifest": [manifest.as_uri()],
    }
    rejects = run_between_good(empty_account, client, tmp_path, json_line(bad))
    one_reject(rejects, "organizations", "BATCH messages are not supported")
    assert org_names(client, "From-a-local-file") == {}


@pytest.mark.parametrize(
    ("wrong", "setting"),
    [("api_key_secret", "api_key_id/api_key_secret:"), ("account_id", "account_id:")],
)
def test_a_refused_key_fails_before_any_input_is_read(
    empty_account, tmp_path, wrong, setting
) -> None:
    creds = {**empty_account, wrong: str(uuid.uuid4())}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(target_config(creds, tmp_path)))
    started = time.monotonic()
    # stdin is a pipe that is never written nor closed: a target that read it would hang.
    with subprocess.Popen(
        [BIN, "--config", config], stdin=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        try:
            code = proc.wait(timeout=10)
        finally:
            proc.kill()
        stderr = proc.stderr.read().decode() if proc.stderr else ""

    assert code != 0
    assert time.monotonic() - started < 10
    errors = [line for line in stderr.splitlines() if setting in line]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    assert creds["api_key_secret"] not in stderr


def test_a_reason_never_holds_the_secret(empty_account, client, tmp_path) -> None:
    secret = empty_account["api_key_secret"]
    bad = [org_line("Never", founded=f"not a date {secret}"), f"not JSON {secret}".encode()]
    prefix = f"Good-{uuid.uuid4().hex[:8]}"
    data = b"\n".join([json_line(ORG_SCHEMA), *bad, org_line(prefix)]) + b"\n"

    run_bytes(target_config(empty_account, tmp_path), data)

    rejects = read_rejects(tmp_path)
    assert [r["stream"] for r in rejects] == ["organizations", None]
    assert "<secret removed>" in rejects[0]["error"]  # the SDK's message quotes the value
    assert secret not in json.dumps([r["error"] for r in rejects])
    assert rejects[1]["record"] == "not JSON <secret removed>"  # a raw line loses it too
    assert org_names(client, prefix) == {prefix: 1}


def test_on_record_error_fail_stops_at_a_bad_line(empty_account, client, tmp_path) -> None:
    prefix = f"Never-{uuid.uuid4().hex[:8]}"
    data = [
        json_line(ORG_SCHEMA),
        json_line({"type": "RECORD", "stream": "organizations", "record": 42}),
    ]
    config = target_config(empty_account, tmp_path, on_record_error="fail")

    with pytest.raises(InvalidInputLine, match="record must be an object"):
        run_bytes(config, b"\n".join([*data, org_line(prefix)]))

    assert len(read_rejects(tmp_path)) == 1
    assert org_names(client, prefix) == {}


def test_an_error_while_writing_is_not_blamed_on_the_record(empty_account, tmp_path) -> None:
    """A failure inside the drain the SDK starts in the RECORD callback stops the run."""
    target = TargetLexful(config=target_config(empty_account, tmp_path, batch_size_rows=1))

    def fail(*_args: Any) -> None:
        raise RuntimeError("the API is gone")

    target.engine.write_batch = fail  # type: ignore[method-assign]
    data = b"\n".join([json_line(ORG_SCHEMA), org_line("Never")]) + b"\n"
    with pytest.raises(RuntimeError, match="the API is gone"):
        target.listen(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert read_rejects(tmp_path) == []


def test_a_wrong_secret_is_found_before_reading_in_process(empty_account, tmp_path) -> None:
    class NeverRead:
        def __iter__(self) -> Any:
            raise AssertionError("input was read")

    target = TargetLexful(
        config=target_config({**empty_account, "api_key_secret": "wrong"}, tmp_path)
    )
    with pytest.raises(ConfigValidationError, match="api_key_secret"):
        target.listen(NeverRead())  # type: ignore[arg-type]


def test_the_rejects_file_takes_any_record(tmp_path) -> None:
    """Nesting past the recursion limit, and numbers whose conversion would take hours."""
    deep: Any = 1
    for _ in range(5000):
        deep = {"a": deep}
    hostile = [deep, {"n": Decimal("1E+999999999")}, {"n": 10**5000}, [deep]]
    rejects = Rejects(tmp_path / "rejects.jsonl")
    started = time.monotonic()
    for value in hostile:
        rejects.write("s", value, "why", None)
    rejects.close()

    assert time.monotonic() - started < 5
    stored = read_rejects(tmp_path)
    assert [r["error"] for r in stored] == ["why"] * len(hostile)
    assert all(isinstance(r["record"], str) and len(r["record"]) < 5000 for r in stored)
