"""The target's STATE gate, offline: a STATE leaves only once every record read before it is
settled, the newest one due, each once; a drain (after which STATE may leave) is due every
batch of records or every so many seconds, whichever comes first; a dry run prints none."""

from __future__ import annotations

import json

import pytest

from connector_core.target.state_gate import DEFAULT_BATCH_ROWS, StateGate


def printed(capsys: pytest.CaptureFixture[str]) -> list[object]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_state_waits_for_the_records_read_before_it(capsys: pytest.CaptureFixture[str]) -> None:
    gate = StateGate()
    gate.hold({"n": 1}, records_before=10)
    gate.hold({"n": 2}, records_before=20)
    gate.release_settled(first_waiting=5)  # record 5 still waits: no STATE covers it
    assert printed(capsys) == []
    gate.release_settled(first_waiting=15)  # records 0-14 settled: the first STATE is due
    assert printed(capsys) == [{"n": 1}]
    gate.release_last()  # nothing waits
    assert printed(capsys) == [{"n": 2}]
    assert gate.emitted == 2


def test_only_the_newest_due_state_leaves(capsys: pytest.CaptureFixture[str]) -> None:
    gate = StateGate()
    for n in range(5):
        gate.hold({"n": n}, records_before=n)
    gate.release_last()
    assert printed(capsys) == [{"n": 4}]


def test_a_state_equal_to_the_last_one_printed_is_not_printed_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gate = StateGate()
    gate.hold({"n": 1}, records_before=0)
    gate.release_last()
    gate.hold({"n": 1}, records_before=3)
    gate.release_last()
    assert printed(capsys) == [{"n": 1}]
    assert gate.emitted == 1


def test_a_state_read_right_after_the_waiting_record_is_held(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Positions count RECORD lines from 1: a STATE read after 7 records covers record 7.
    gate = StateGate()
    gate.hold({"n": 1}, records_before=6)
    gate.hold({"n": 2}, records_before=7)
    gate.release_settled(
        first_waiting=7
    )  # record 7 waits: the second STATE covers it, the first not
    assert printed(capsys) == [{"n": 1}]
    gate.release_settled(first_waiting=8)
    assert printed(capsys) == [{"n": 2}]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_drain_is_due_every_batch_of_records() -> None:
    gate = StateGate(batch_rows=3, clock=Clock())
    assert [gate.drain_due() for _ in range(3)] == [False, False, True]
    gate.release_settled(first_waiting=None)  # the target drained: the count starts again
    assert [gate.drain_due() for _ in range(3)] == [False, False, True]


def test_a_drain_is_due_once_the_interval_has_passed_even_between_batches() -> None:
    clock = Clock()
    gate = StateGate(batch_rows=1000, every_s=30.0, clock=clock)
    assert not gate.drain_due()
    clock.now += 29.9
    assert not gate.drain_due()
    clock.now += 0.1
    assert gate.drain_due()
    gate.release_settled(first_waiting=None)
    assert not gate.drain_due()  # the interval counts from the last drain


def test_the_default_batch_is_used_without_a_setting() -> None:
    gate = StateGate(batch_rows=None, clock=Clock())
    due = [gate.drain_due() for _ in range(DEFAULT_BATCH_ROWS)]
    assert due.index(True) == DEFAULT_BATCH_ROWS - 1


def test_a_dry_run_prints_no_state(capsys: pytest.CaptureFixture[str]) -> None:
    gate = StateGate(dry_run=True)
    gate.hold({"n": 1}, records_before=0)
    gate.release_settled(first_waiting=None)
    gate.release_last()
    assert printed(capsys) == []
    assert gate.emitted == 0
