"""The target's STATE gate, offline: a STATE leaves only once every record read before it is
settled, the newest one due, each once."""

from __future__ import annotations

import json

import pytest

from connector_core.target.state_gate import StateGate


def printed(capsys: pytest.CaptureFixture[str]) -> list[object]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_state_waits_for_the_records_read_before_it(capsys: pytest.CaptureFixture[str]) -> None:
    gate = StateGate()
    gate.hold({"n": 1}, records_before=10)
    gate.hold({"n": 2}, records_before=20)
    gate.release(first_waiting=5)  # record 5 still waits: no STATE covers it
    assert printed(capsys) == []
    gate.release(first_waiting=15)  # records 0-14 settled: the first STATE is due
    assert printed(capsys) == [{"n": 1}]
    gate.release(first_waiting=None)  # nothing waits
    assert printed(capsys) == [{"n": 2}]
    assert gate.emitted == 2


def test_only_the_newest_due_state_leaves(capsys: pytest.CaptureFixture[str]) -> None:
    gate = StateGate()
    for n in range(5):
        gate.hold({"n": n}, records_before=n)
    gate.release(first_waiting=None)
    assert printed(capsys) == [{"n": 4}]


def test_a_state_equal_to_the_last_one_printed_is_not_printed_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gate = StateGate()
    gate.hold({"n": 1}, records_before=0)
    gate.release(first_waiting=None)
    gate.hold({"n": 1}, records_before=3)
    gate.release(first_waiting=None)
    assert printed(capsys) == [{"n": 1}]
    assert gate.emitted == 1


def test_a_state_read_right_after_the_waiting_record_is_held(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Positions count RECORD lines from 1: a STATE read after 7 records covers record 7.
    gate = StateGate()
    gate.hold({"n": 1}, records_before=6)
    gate.hold({"n": 2}, records_before=7)
    gate.release(first_waiting=7)  # record 7 waits: the second STATE covers it, the first not
    assert printed(capsys) == [{"n": 1}]
    gate.release(first_waiting=8)
    assert printed(capsys) == [{"n": 2}]
