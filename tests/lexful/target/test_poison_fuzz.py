"""Poison-proof input, fuzzed: more than a thousand generated bad lines between good
organizations, through the real CLI; each costs one reject with a one-line reason (issue 7)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.lexful.target.helpers import org_record, read_rejects, record, target_config
from tests.lexful.target.poison_lines import (
    BIN,
    KINDS,
    ORG_SCHEMA,
    deep,
    json_line,
    org_holding,
    org_line,
    org_names,
)

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
    return values.map(lambda v: json_line({**_message(kind), field: v}))


def _without(kind: str, field: str) -> st.SearchStrategy[bytes]:
    """A message of ``kind`` without ``field`` (and with an extra field, which is ignored)."""
    return _json.map(
        lambda extra: json_line(
            {**{f: v for f, v in _message(kind).items() if f != field}, "x": extra}
        )
    )


def _record_with(field: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """A good organization but for ``field``."""
    return values.map(
        lambda v: json_line(record("organizations", {**org_record("Never"), field: v}))
    )


def _deep_line(depth: int, as_dict: bool, in_record: bool) -> bytes:
    raw = deep(depth, as_dict=as_dict)
    return org_holding(raw) if in_record else raw


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
        org_holding  # numbers no conversion can take
    ),
    st.text(max_size=20).map(
        lambda name: json_line(record("organizations", {"name": name}))
    ),  # no id
    st.lists(st.text(max_size=20), max_size=3).map(
        lambda files: json_line({"type": "BATCH", "stream": "organizations", "manifest": files})
    ),
)
_deep_lines = st.builds(_deep_line, st.integers(101, 3000), st.booleans(), st.booleans())
_invalid_utf8 = st.builds(
    lambda bad, at: _insert(org_line("Never"), bad, at),
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
    _random_bytes, _not_messages.map(json_line), _wrong_fields, _deep_lines, _invalid_utf8
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
    lines = [json_line(ORG_SCHEMA)]
    for i, line in enumerate(bad):
        if i % 20 == 0:
            good.append(f"{prefix}-{len(good)}")
            lines.append(org_line(good[-1]))
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
    assert org_names(client, prefix) == dict.fromkeys(good, 1)
    assert prefix not in json.dumps(rejects)  # no good record among them
