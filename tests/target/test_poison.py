"""Poison-proof input: a bad line costs a reject with a reason, never the run (issue 7).

Each named case sits between two good organizations, read from bytes as the CLI reads stdin;
the fuzz test sends more than a thousand generated bad lines through the real CLI.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.singerlib.exceptions import InvalidInputLine

from connector_core.target.rejects import Rejects
from lexful_api import contract
from target_lexful.target import TargetLexful
from tests.lexful import list_all
from tests.target.helpers import org_record, read_rejects, record, schema, target_config

BIN = Path(sys.executable).parent / "target-lexful"
ORG_PROPS = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "founded": {"type": ["string", "null"], "format": "date-time"},  # the SDK parses it
}
ORG_SCHEMA = schema("organizations", props=ORG_PROPS)
KINDS = {"RECORD", "SCHEMA", "STATE", "ACTIVATE_VERSION", "BATCH"}
# Every kind of bad line the fuzz test generates, by the reason it is rejected with.
FUZZ_REASONS = (
    "not JSON",
    "not UTF-8",
    "nested",
    "not a message",
    "unknown message type",
    "stream must",
    "before its SCHEMA",
    "record must be an object",
    "RECORD without a record",
    "without a stream",
    "schema must",
    "not a valid JSON schema",
    "key_properties must be a list of strings",
    "STATE without a value",
    "version must be an integer",
    "ACTIVATE_VERSION before its stream's SCHEMA",
    "does not match the stream's schema",
    "invalid date or time",
    "out of range",
    "record has no key",
    "BATCH messages are not supported",
)


def _line(message: Any) -> bytes:
    return json.dumps(message).encode()


def _org_line(name: str, **extra: Any) -> bytes:
    return _line(record("organizations", {**org_record(name), **extra}))


def run_bytes(config: dict, data: bytes) -> TargetLexful:
    """The target in this process, reading ``data`` through a byte buffer, as from stdin."""
    target = TargetLexful(config=config)
    with contextlib.redirect_stdout(io.StringIO()):
        target.listen(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return target


def _org_names(client: Any, prefix: str) -> Counter[str]:
    orgs = list_all(client, contract.organizations_path())
    return Counter(o["name"] for o in orgs if o["name"].startswith(prefix))


def _run_between_good(empty_account: dict, client: Any, tmp: Path, bad: bytes) -> list[dict]:
    """Good, bad, good: both good organizations are written once; returns the rejects."""
    prefix = f"Good-{uuid.uuid4().hex[:8]}"
    data = b"\n".join([_line(ORG_SCHEMA), _org_line(f"{prefix}-1"), bad, _org_line(f"{prefix}-2")])
    run_bytes(target_config(empty_account, tmp), data + b"\n")
    assert _org_names(client, prefix) == {f"{prefix}-1": 1, f"{prefix}-2": 1}
    return read_rejects(tmp)


def _one_reject(rejects: list[dict], stream: str | None, reason: str) -> dict:
    assert len(rejects) == 1, rejects
    (reject,) = rejects
    assert reject["stream"] == stream
    assert reason in reject["error"]
    assert "\n" not in reject["error"]
    return reject


# -- one test per case seen ----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "kind"), [(42, "a number"), ([1], "an array")])
def test_a_record_that_is_not_an_object_is_rejected(
    empty_account, client, tmp_path, value, kind
) -> None:
    bad = _line({"type": "RECORD", "stream": "organizations", "record": value})
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    reject = _one_reject(rejects, "organizations", f"record must be an object, not {kind}")
    assert reject["record"] == bad.decode()  # the raw line, to replay once fixed


def test_a_null_record_is_rejected_not_dropped(empty_account, client, tmp_path) -> None:
    bad = _line({"type": "RECORD", "stream": "organizations", "record": None})
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    _one_reject(rejects, "organizations", "record must be an object, not null")


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
    bad = _line({"type": "RECORD", "stream": stream, "record": org_record("Never")})
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    _one_reject(rejects, None, reason)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("FOO", "unknown message type 'FOO'"), (None, "unknown message type: null"), (7, "number")],
)
def test_an_unknown_or_null_type_is_rejected(empty_account, client, tmp_path, kind, reason) -> None:
    bad = _line({"type": kind, "stream": "organizations", "record": org_record("Never")})
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    _one_reject(rejects, "organizations", reason)


def test_a_date_time_field_that_is_not_a_date_is_rejected(empty_account, client, tmp_path) -> None:
    bad = _org_line("Never", founded="not a date")
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    reject = _one_reject(rejects, "organizations", "invalid date or time")
    assert "'founded'" in reject["error"]
    assert reject["record"]["founded"] == "not a date"


def _deep(depth: int, *, as_dict: bool) -> bytes:
    """``[[[1]]]`` or ``{"a":{"a":1}}``, ``depth`` levels, as bytes (json.dumps would recurse)."""
    if as_dict:
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth + b"1" + b"]" * depth


def _org_holding(raw: bytes) -> bytes:
    """A good organization's line with a field ``x`` holding ``raw`` JSON as it is."""
    return _org_line("Never", x="RAW").replace(b'"RAW"', raw)


@pytest.mark.parametrize(
    ("bad", "stream"),
    [
        (_deep(5000, as_dict=False), None),  # past msgspec's own recursion limit
        (_deep(150, as_dict=False), None),  # readable, but past what the writer can take
        (_org_holding(_deep(3000, as_dict=True)), None),
        (_org_holding(_deep(150, as_dict=True)), "organizations"),
    ],
    ids=["array-5000", "array-150", "record-field-3000", "record-field-150"],
)
def test_deep_nesting_is_rejected(empty_account, client, tmp_path, bad, stream) -> None:
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    reject = _one_reject(rejects, stream, "nested")
    assert reject["record"] == bad.decode()


def test_invalid_utf8_costs_only_its_line(empty_account, client, tmp_path) -> None:
    bad = _org_line("Never-\u00e9").replace(b"\\u00e9", b"\xff\xfe")
    rejects = _run_between_good(empty_account, client, tmp_path, bad)
    reject = _one_reject(rejects, None, "not UTF-8")
    assert "Never-\\xff\\xfe" in reject["record"]  # the bytes shown, not lost


def test_blank_lines_are_skipped_silently(empty_account, client, tmp_path) -> None:
    rejects = _run_between_good(empty_account, client, tmp_path, b"\n  \r\n\t")
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
    rejects = _run_between_good(empty_account, client, tmp_path, _line(bad))
    _one_reject(rejects, "organizations", "BATCH messages are not supported")
    assert _org_names(client, "From-a-local-file") == {}


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
    bad = [_org_line("Never", founded=f"not a date {secret}"), f"not JSON {secret}".encode()]
    prefix = f"Good-{uuid.uuid4().hex[:8]}"
    data = b"\n".join([_line(ORG_SCHEMA), *bad, _org_line(prefix)]) + b"\n"

    run_bytes(target_config(empty_account, tmp_path), data)

    rejects = read_rejects(tmp_path)
    assert [r["stream"] for r in rejects] == ["organizations", None]
    assert "<secret removed>" in rejects[0]["error"]  # the SDK's message quotes the value
    assert secret not in json.dumps([r["error"] for r in rejects])
    assert rejects[1]["record"] == "not JSON <secret removed>"  # a raw line loses it too
    assert _org_names(client, prefix) == {prefix: 1}


def test_on_record_error_fail_stops_at_a_bad_line(empty_account, client, tmp_path) -> None:
    prefix = f"Never-{uuid.uuid4().hex[:8]}"
    data = [_line(ORG_SCHEMA), _line({"type": "RECORD", "stream": "organizations", "record": 42})]
    config = target_config(empty_account, tmp_path, on_record_error="fail")

    with pytest.raises(InvalidInputLine, match="record must be an object"):
        run_bytes(config, b"\n".join([*data, _org_line(prefix)]))

    assert len(read_rejects(tmp_path)) == 1
    assert _org_names(client, prefix) == {}


def test_an_error_while_writing_is_not_blamed_on_the_record(empty_account, tmp_path) -> None:
    """A failure inside the drain the SDK starts in the RECORD callback stops the run."""
    target = TargetLexful(config=target_config(empty_account, tmp_path, batch_size_rows=1))

    def fail(*_args: Any) -> None:
        raise RuntimeError("the API is gone")

    target.engine.write_batch = fail  # type: ignore[method-assign]
    data = b"\n".join([_line(ORG_SCHEMA), _org_line("Never")]) + b"\n"
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


# -- the fuzz test -------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)


_json = st.recursive(_scalars, _containers, max_leaves=8)


def _not(*types: type) -> st.SearchStrategy[Any]:
    """A JSON value of none of ``types``, exactly (so a boolean is no integer)."""
    return _json.filter(lambda v: type(v) not in types)


def _is_kind(value: Any) -> bool:
    return isinstance(value, str) and value in KINDS


def _unparseable(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)  # what the SDK parses a date-time field with
    except ValueError:
        return True
    return False


def _message(kind: str) -> dict:
    valid = {
        "RECORD": record("organizations", org_record("Never")),
        "SCHEMA": ORG_SCHEMA,
        "STATE": {"type": "STATE", "value": {"at": 1}},
        "ACTIVATE_VERSION": {"type": "ACTIVATE_VERSION", "stream": "organizations", "version": 1},
    }
    return json.loads(json.dumps(valid[kind]))  # a fresh copy


def _with(kind: str, field: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """A valid message of ``kind`` whose ``field`` is one of ``values``."""
    return values.map(lambda v: _line({**_message(kind), field: v}))


def _without(kind: str, field: str) -> st.SearchStrategy[bytes]:
    """A message of ``kind`` without ``field`` (and with an extra field, which is ignored)."""
    return _json.map(
        lambda extra: _line({**{f: v for f, v in _message(kind).items() if f != field}, "x": extra})
    )


def _record_with(field: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """A good organization but for ``field``."""
    return values.map(lambda v: _line(record("organizations", {**org_record("Never"), field: v})))


def _deep_line(depth: int, as_dict: bool, in_record: bool) -> bytes:
    raw = _deep(depth, as_dict=as_dict)
    return _org_holding(raw) if in_record else raw


def _insert(line: bytes, bad: bytes, at: int) -> bytes:
    at %= len(line)
    return line[:at] + bad + line[at:]


_unknown = st.text(min_size=1, max_size=10).map(lambda s: "unknown-" + s)
_wrong_fields = st.one_of(
    _with("RECORD", "type", _json.filter(lambda v: not _is_kind(v))),
    _with("RECORD", "stream", _not(str) | st.just("") | _unknown),
    _with("RECORD", "record", _not(dict)),
    _without("RECORD", "record"),
    _without("RECORD", "stream"),
    _with("SCHEMA", "stream", _not(str) | st.just("")),
    _with("SCHEMA", "schema", _not(dict) | st.sampled_from([{}, {"properties": [1]}])),
    _with("SCHEMA", "schema", st.text(max_size=8).map(lambda a: {"properties": {a: {"type": 5}}})),
    _with("SCHEMA", "key_properties", _not(list, type(None)) | st.lists(_not(str), min_size=1)),
    _without("STATE", "value"),
    _with("ACTIVATE_VERSION", "version", _not(int)),
    _with("ACTIVATE_VERSION", "stream", _unknown),
    _record_with("id", _not(str)),
    _record_with("name", _not(str)),
    _record_with("founded", _not(str, type(None))),
    _record_with("founded", st.text(max_size=30).filter(_unparseable)),  # bad dates
    st.sampled_from([b"1e400", b"-1e309", b"1E+999999999", str(10**400).encode()]).map(
        _org_holding  # numbers no conversion can take
    ),
    st.text(max_size=20).map(lambda name: _line(record("organizations", {"name": name}))),  # no id
    st.lists(st.text(max_size=20), max_size=3).map(
        lambda files: _line({"type": "BATCH", "stream": "organizations", "manifest": files})
    ),
)
_deep_lines = st.builds(_deep_line, st.integers(101, 3000), st.booleans(), st.booleans())
_invalid_utf8 = st.builds(
    lambda bad, at: _insert(_org_line("Never"), bad, at),
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf8\x88"]),
    st.integers(0, 10_000),
)
_random_bytes = (
    st.binary(min_size=1, max_size=80)
    .map(lambda b: b.replace(b"\n", b"?").rstrip(b"\r"))  # one line; a CR ends no line here
    .filter(bytes.strip)  # a blank line is skipped, not rejected
)
_not_messages = _json.filter(lambda v: not (isinstance(v, dict) and _is_kind(v.get("type"))))
BAD_LINE = st.one_of(
    _random_bytes, _not_messages.map(_line), _wrong_fields, _deep_lines, _invalid_utf8
)


def _bad_lines() -> list[bytes]:
    """Distinct bad lines, the same on every run (derandomized, no example database).

    Distinct, because the rejects file holds a line that comes twice once (a resumed run
    sends the same lines again).
    """
    found: list[bytes] = []

    @settings(
        max_examples=300,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(BAD_LINE, min_size=10, max_size=12))
    def collect(lines: list[bytes]) -> None:
        found.extend(lines)

    collect()
    return list(dict.fromkeys(found))


def test_fuzz_bad_lines_between_good_records_through_the_cli(
    empty_account, client, tmp_path
) -> None:
    bad = _bad_lines()
    assert len(bad) >= 1000
    prefix = f"Fuzz-{uuid.uuid4().hex[:8]}"
    good: list[str] = []
    lines = [_line(ORG_SCHEMA)]
    for i, line in enumerate(bad):
        if i % 20 == 0:
            good.append(f"{prefix}-{len(good)}")
            lines.append(_org_line(good[-1]))
        lines.append(line)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(target_config(empty_account, tmp_path, batch_size_rows=25)))

    done = subprocess.run(
        [BIN, "--config", config],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    rejects = read_rejects(tmp_path)
    assert len(rejects) == len(bad)
    assert all(r["error"] and "\n" not in r["error"] for r in rejects)
    errors = [r["error"] for r in rejects]
    assert [why for why in FUZZ_REASONS if not any(why in e for e in errors)] == []
    assert _org_names(client, prefix) == dict.fromkeys(good, 1)
    assert prefix not in json.dumps(rejects)  # no good record among them
