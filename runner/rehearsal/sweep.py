"""A seeded sweep: many swarm-faulted rehearsals of one scenario, in parallel.

Owns: ``SeedOutcome`` (what one seed's run left: status, duration, violations, fired fault
types, or the error it raised), ``run_seeds`` (N seeds over a process pool, in chunks),
``SweepResult`` with ``to_dict`` (the sweep report, ``runner/schemas/sweep.schema.json``)
and ``percentile``.

Theory of operation: each worker process loads the scenario once (pool initializer), then
for every seed builds ``simulator.swarm.swarm_scenario(scenario, seed)`` and rehearses it
(``runner.rehearsal.compose``); only a small picklable ``SeedOutcome`` travels back. A run
that raises is an outcome too (``error``), never a crashed sweep. Violations are shrunk and
written as reproducers by ``runner.rehearsal.shrink``.

Must not: print, parse options, or import ``simulator`` at module level (lazily only).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.rehearsal.compose import rehearse
from runner.rehearsal.results import Rehearsal

if TYPE_CHECKING:
    from simulator.model import FaultSpec, Scenario

__all__ = [
    "UNFINISHED",
    "SeedOutcome",
    "SweepResult",
    "ViolationRecord",
    "cpu_count",
    "outcome_of",
    "percentile",
    "run_seed",
    "run_seeds",
    "with_faults",
]

FINAL_STATUSES = ("Succeeded", "PartiallyFailed", "Failed", "Canceled")


@dataclass(frozen=True, slots=True, kw_only=True)
class ViolationRecord:
    invariant: str
    time: float
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedOutcome:
    seed: int
    status: str | None = None
    duration_seconds: float = 0.0
    violations: tuple[ViolationRecord, ...] = ()
    fired: Mapping[str, int] = field(default_factory=dict)
    fault_count: int = 0
    error: str | None = None

    @property
    def finished(self) -> bool:
        """A final status and no exception: the run ended as a run must."""
        return self.error is None and self.status in FINAL_STATUSES


def outcome_of(seed: int, rehearsal: Rehearsal, fault_count: int = 0) -> SeedOutcome:
    """The sweep-relevant facts of one rehearsal."""
    simulation = rehearsal.simulation
    violations = tuple(
        ViolationRecord(invariant=name, time=float(v.time), detail=str(v.detail))
        for name, verdict in simulation.invariants.items()
        for v in verdict.violations
    )
    return SeedOutcome(
        seed=seed,
        status=rehearsal.status,
        duration_seconds=round(rehearsal.report.duration_seconds, 3),
        violations=tuple(sorted(violations, key=lambda v: (v.time, v.invariant))),
        fired=dict(simulation.counters.get("faults_fired") or {}),
        fault_count=fault_count,
    )


def run_seed(scenario: Scenario, seed: int) -> SeedOutcome:
    """Rehearse ``scenario`` with the swarm's faults for ``seed``; never raises."""
    from simulator.swarm import swarm_scenario

    try:
        swarmed = swarm_scenario(scenario, seed)
        return outcome_of(seed, rehearse(swarmed, seed), len(swarmed.faults))
    except Exception as exc:  # a sweep records a crashing run; it does not stop
        return SeedOutcome(seed=seed, error=f"{type(exc).__name__}: {exc}")


_WORKER_SCENARIO: list[Scenario] = []


def _init_worker(path: str) -> None:
    from simulator.scenario import load_scenario

    _WORKER_SCENARIO[:] = [load_scenario(path)]


def _run_in_worker(seed: int) -> SeedOutcome:
    return run_seed(_WORKER_SCENARIO[0], seed)


def run_seeds(scenario: Scenario, path: Path, seeds: Sequence[int], jobs: int) -> list[SeedOutcome]:
    """Outcomes of ``seeds`` in seed order; ``jobs`` worker processes (1: in this process)."""
    if jobs <= 1 or len(seeds) <= 1:
        return [run_seed(scenario, seed) for seed in seeds]
    # Chunks of a few dozen seeds keep pickling overhead low while still balancing load.
    chunk = max(1, min(32, len(seeds) // (jobs * 4)))
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(str(path),)
    ) as pool:
        return list(pool.map(_run_in_worker, seeds, chunksize=chunk))


UNFINISHED = "unfinished"  # reproducer key of a run that raised or has no final status


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepResult:
    """A sweep: its outcomes in seed order, the reproducer written per (seed, invariant)
    — ``UNFINISHED`` for a run without a final status — the wall time and the processes."""

    scenario: str
    outcomes: tuple[SeedOutcome, ...]
    reproducers: Mapping[tuple[int, str], str]
    wall_seconds: float
    jobs: int

    @property
    def failed(self) -> bool:
        """A violation, or a run that did not end with a final status."""
        return any(o.violations or not o.finished for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        """The sweep report (``--report``); key order is stable."""
        outcomes, reproducers = self.outcomes, self.reproducers
        statuses: dict[str, int] = {}
        fired: dict[str, int] = {}
        for outcome in outcomes:
            if outcome.finished and outcome.status is not None:
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            for name, count in outcome.fired.items():
                fired[name] = fired.get(name, 0) + count
        durations = [o.duration_seconds for o in outcomes if o.finished]
        wall = self.wall_seconds
        return {
            "scenario": self.scenario,
            "seeds": len(outcomes),
            "first_seed": outcomes[0].seed if outcomes else 0,
            "jobs": self.jobs,
            "statuses": dict(sorted(statuses.items())),
            "violations": [
                {
                    "seed": o.seed,
                    "invariant": v.invariant,
                    "time": v.time,
                    "detail": v.detail,
                    "reproducer": reproducers.get((o.seed, v.invariant)),
                }
                for o in outcomes
                for v in o.violations
            ],
            "unfinished": [
                {
                    "seed": o.seed,
                    "status": o.status,
                    "error": o.error,
                    "reproducer": reproducers.get((o.seed, UNFINISHED)),
                }
                for o in outcomes
                if not o.finished
            ],
            "fault_types_fired": dict(sorted(fired.items())),
            "duration_seconds": {
                "p50": round(percentile(durations, 0.50), 3),
                "p95": round(percentile(durations, 0.95), 3),
                "max": round(max(durations, default=0.0), 3),
            },
            "wall_seconds": round(wall, 3),
            "seeds_per_second": round(len(outcomes) / wall, 1) if wall else 0.0,
        }


def with_faults(scenario: Scenario, faults: Iterable[FaultSpec]) -> Scenario:
    """``scenario`` with exactly ``faults`` (the swarm's profile scripts kept)."""
    return replace(scenario, faults=tuple(faults))


def cpu_count() -> int:
    return os.cpu_count() or 1
