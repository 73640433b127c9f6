"""A batch written in waves; a record whose references are not written yet waits on disk.

Each wave is the records whose references all resolve to destination ids; a record that refers
to another record of the same batch goes in a later wave; one that refers to a record not
written yet is parked in the id map (``IdMap.park``) with its input position, and released
(run again) once the records it waits on are settled. At the end of input what still waits is
rejected, naming the missing references (and, with ``carry_over``, stays parked for a later
run).

What a record is, how a reference resolves, and how a wave is written are the API's own
(``WaveSteps``); the order, the parking and the release are the same for every API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from connector_core.target.errors import RecordError
from connector_core.target.id_map import IdMap
from connector_core.target.id_map_schema import Waiting
from connector_core.target.values import json_safe


class Reference(Protocol):
    """One reference of a record to another, by the other record's source id."""

    @property
    def field(self) -> str: ...  # as shown to people: organization_id, relationships.$account

    @property
    def source_id(self) -> str: ...


class WaveJob(Protocol):
    """What the waves read of one record on its way (an API's job class has more)."""

    @property
    def stream(self) -> str: ...
    @property
    def source_id(self) -> str: ...
    @property
    def record(self) -> dict[str, Any]: ...
    @property
    def key_properties(self) -> list[str]: ...
    @property
    def position(self) -> int: ...  # its RECORD line in this run's input (0: an earlier run's)
    @property
    def refs(self) -> Sequence[Reference]: ...
    @property
    def resolved(self) -> Mapping[str, Any]: ...  # source id -> where it is in the destination


J = TypeVar("J", bound=WaveJob)


@dataclass(frozen=True)
class WaveSteps(Generic[J]):
    """The API's side of the waves."""

    #: Resolve what can be of ``job``'s references (into ``job.resolved``); return those not
    #: written yet. ``batch``: the source ids of the records being written with it. Raises
    #: RecordError when a reference can never resolve (its record was rejected).
    resolve: Callable[[J, set[str]], Sequence[Reference]]
    #: Before a wave: look up in bulk what the id map does not know (ids of the destination).
    look_up: Callable[[list[J]], None]
    #: Write a wave: every outcome recorded (written or rejected) before it returns.
    execute: Callable[[list[J]], None]
    reject: Callable[[J, RecordError], None]
    #: A parked record as a job again (None: rejected on the way, e.g. its stream is gone).
    from_waiting: Callable[[Waiting], J | None]
    #: The keys settled (written or rejected) since the last call (``job_keys`` of each).
    take_fresh: Callable[[], set[str]]
    #: What a record is known by, and what a reference waits on: by default its bare source
    #: id; an API whose sources number each table on their own keys them by namespace too
    #: (companies 1 and people 1 are two records; a reference says which one it means).
    job_keys: Callable[[J], frozenset[str]] = lambda job: frozenset({job.source_id})
    ref_keys: Callable[[Any], frozenset[str]] = lambda ref: frozenset({ref.source_id})
    #: Where a reference's destination is in ``job.resolved``.
    resolved_key: Callable[[Any], str] = lambda ref: str(ref.source_id)
    #: Whether a record rejected at the end of input for a missing reference stays parked,
    #: so that a later run writes it once the reference is written (and rejects it again at
    #: its own end until then). Released there but still missing another reference, it is
    #: parked as that run's, holding back its STATE until the run's end.
    carry_over: bool = False


class Waves(Generic[J]):
    """Writes jobs in waves in the order their references need; parks and releases the rest."""

    def __init__(self, ids: IdMap, steps: WaveSteps[J], destination: str) -> None:
        self._ids = ids
        self._steps = steps
        self._destination = destination  # named in the reason of an unresolved reference

    def run(self, jobs: list[J], *, final: bool = False) -> None:
        """Write ``jobs`` in waves; ``final``: what cannot be written is rejected, not parked."""
        pending = jobs
        while pending:
            self._steps.look_up(pending)
            ready, later, missing = self._sort(pending)
            if not ready:
                # Nothing can move: what waits on this batch waits on a record that waits too.
                missing += [(j, self._unresolved(j)) for j in later]
                later = []
            for job, waits in missing:
                self._wait(job, waits, final=final)
            self._steps.execute(ready)
            pending = later

    def release(self) -> None:
        """Run the parked records whose references were just written, until none is left."""
        while True:
            fresh = self._steps.take_fresh()
            if not fresh or not self._ids.waiting_count():
                return
            rows = self._ids.waiting_on(fresh)
            self.run([j for j in map(self._steps.from_waiting, rows) if j is not None])

    def finish(self) -> None:
        """End of input: release what can be, then reject what still waits, naming why."""
        self.release()
        leftovers = self._ids.waiting_on(None)
        if leftovers:
            jobs = [j for j in map(self._steps.from_waiting, leftovers) if j is not None]
            self.run(jobs, final=True)

    def _sort(self, pending: list[J]) -> tuple[list[J], list[J], list[tuple[J, list[Reference]]]]:
        """Ready now; later in this batch; missing (to park until their references exist)."""
        keys: set[str] = set()
        for j in pending:
            keys |= self._steps.job_keys(j)
        ready: list[J] = []
        later: list[J] = []
        missing: list[tuple[J, list[Reference]]] = []
        seen: set[tuple[str, str]] = set()
        for job in pending:
            if (job.stream, job.source_id) in seen:
                later.append(job)  # the same record twice: the second copy after the first
                continue
            try:
                waits = list(self._steps.resolve(job, keys))
            except RecordError as exc:
                self._steps.reject(job, exc)
                continue
            seen.add((job.stream, job.source_id))
            if not waits:
                ready.append(job)
            elif any(self._in_batch(r, keys, job) for r in waits):
                later.append(job)  # its reference is in this batch: next wave
            else:
                missing.append((job, waits))
        return ready, later, missing

    def _wait(self, job: J, waits: list[Reference], *, final: bool) -> None:
        if final:
            names = ", ".join(f"{r.field}={r.source_id}" for r in waits)
            msg = (
                f"unresolved reference(s) at end of input: {names} "
                f"(not in the input nor in {self._destination})"
            )
            self._steps.reject(job, RecordError(msg))
            if self._steps.carry_over:  # after the reject, which unparks it
                self._park(job, waits)  # a later run's: it holds back none of that run's STATE
            return
        self._park(job, waits)

    def _park(self, job: J, waits: list[Reference]) -> None:
        missing = [
            {"field": r.field, "id": r.source_id, "keys": sorted(self._steps.ref_keys(r))}
            for r in waits
        ]
        self._ids.park(
            job.stream,
            job.source_id,
            json_safe(job.record),
            job.key_properties,
            missing,
            job.position,
        )

    def _in_batch(self, ref: Reference, keys: set[str], job: J) -> bool:
        """Whether ``ref`` points at another record of the batch being written."""
        wanted = self._steps.ref_keys(ref)
        return bool(wanted & keys) and not wanted & self._steps.job_keys(job)

    def _unresolved(self, job: J) -> list[Reference]:
        return [r for r in job.refs if self._steps.resolved_key(r) not in job.resolved]
