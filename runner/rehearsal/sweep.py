"""A seeded sweep: many swarm-faulted rehearsals of one scenario, in parallel.

Owns: ``ScenarioSource`` (a scenario as data — its file's text — which is what travels to
worker processes), ``SeedOutcome`` (what one seed's run left: status, duration, its faults,
violations, fired fault types, or the error it raised), ``run_seeds`` (N seeds over a pool
of ``runner.rehearsal.backends``: local processes or Dask), ``swarm_replay`` and
``replay_command`` (one seed again, in ``pycau simulate``), ``SweepResult`` with ``to_dict``
(the sweep report, ``runner/schemas/sweep.schema.json``) and ``percentile``.

Theory of operation: each worker process parses the scenario text once (cached), then for
every seed builds ``simulator.swarm.swarm_scenario(scenario, seed)`` and rehearses it
(``runner.rehearsal.compose``); only a small picklable ``SeedOutcome`` travels back, and
the pool returns them in seed order, so every backend gives the same outcomes. A run that
raises is an outcome too (``error``), never a crashed sweep. Violations are shrunk and
written as reproducers by ``runner.rehearsal.shrink``.

Must not: print, parse options, or import ``simulator`` at module level (lazily only).
"""

from __future__ import annotations

import functools
import math
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.errors import InputError
from runner.input_bounds import read_user_file
from runner.rehearsal.backends import Pool
from runner.rehearsal.compose import rehearse
from runner.rehearsal.fault_yaml import fault_to_yaml
from runner.rehearsal.results import Rehearsal

if TYPE_CHECKING:
    from simulator.model import FaultSpec, Scenario

__all__ = [
    "UNFINISHED",
    "ScenarioSource",
    "SeedOutcome",
    "SweepResult",
    "ViolationRecord",
    "outcome_of",
    "percentile",
    "replay_command",
    "run_seed",
    "run_seeds",
    "swarm_replay",
    "sweep_seed",
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
    faults: tuple[Mapping[str, Any], ...] = ()  # as a scenario file's ``faults:`` entries
    error: str | None = None

    @property
    def finished(self) -> bool:
        """A final status and no exception: the run ended as a run must."""
        return self.error is None and self.status in FINAL_STATUSES


def outcome_of(
    seed: int, rehearsal: Rehearsal, fault_count: int = 0, faults: Sequence[FaultSpec] = ()
) -> SeedOutcome:
    """The sweep-relevant facts of one rehearsal (``faults``: the ones it was given)."""
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
        faults=tuple(fault_to_yaml(f) for f in faults),
    )


def run_seed(scenario: Scenario, seed: int) -> SeedOutcome:
    """Rehearse ``scenario`` with the swarm's faults for ``seed``; never raises."""
    from simulator.swarm import swarm_scenario

    try:
        swarmed = swarm_scenario(scenario, seed)
        return outcome_of(seed, rehearse(swarmed, seed), len(swarmed.faults), swarmed.faults)
    except Exception as exc:  # a sweep records a crashing run; it does not stop
        return SeedOutcome(seed=seed, error=f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioSource:
    """A scenario as data: the text of its file and the name it was read as (``source``).
    This is what a worker receives — no shared file system needed — and parses itself."""

    source: str
    text: str

    @classmethod
    def read(cls, path: Path) -> ScenarioSource:
        """The file's text (``InputError`` when unreadable, too big or not UTF-8)."""
        try:
            text = read_user_file(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                str(path), "$", f"cannot read the file: not UTF-8 text ({exc.reason})"
            ) from None
        return cls(source=str(path), text=text)

    def load(self) -> Scenario:
        """The validated scenario, parsed once per process (``InputError`` on bad input)."""
        return _parsed(self)


@functools.lru_cache(maxsize=4)
def _parsed(source: ScenarioSource) -> Scenario:
    from runner.validation import parse_document
    from simulator.scenario import parse_scenario

    document = parse_document(source.text, source.source)
    return parse_scenario(document.data, source=document.source, locate=document.locate)


def sweep_seed(source: ScenarioSource, seed: int) -> SeedOutcome:
    """One seed of a sweep, as a worker runs it (``run_seed`` on the parsed source)."""
    return run_seed(source.load(), seed)


def run_seeds(
    source: ScenarioSource,
    seeds: Sequence[int],
    pool: Pool,
    progress: Callable[[int], None] | None = None,
) -> list[SeedOutcome]:
    """Outcomes of ``seeds`` in seed order, on ``pool`` (``runner.rehearsal.backends``)."""
    return pool.map(sweep_seed, source, seeds, progress)


def swarm_replay(scenario: Scenario, seed: int) -> Scenario:
    """``scenario`` as seed ``seed`` of a sweep ran it — the swarm's faults (and scripts) —
    expecting only what the sweep checks: every invariant holds, any final status."""
    from simulator.model import Expect
    from simulator.swarm import swarm_scenario

    return replace(swarm_scenario(scenario, seed), expect=Expect(status=None))


def replay_command(scenario_argument: str, seed: int) -> str:
    """The command that replays seed ``seed`` of a sweep of ``scenario_argument`` (a file
    or a bundled NAME, as the sweep was given it), quoted for a POSIX shell."""
    return f"pycau simulate {shlex.quote(scenario_argument)} --seed {seed} --swarm"


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
    — ``UNFINISHED`` for a run without a final status — the wall time, the worker processes
    and the backend that ran them (``processes``, ``dask-local`` or ``dask``), and the
    scenario argument the replay commands name (a file or a bundled NAME, as given)."""

    scenario: str
    outcomes: tuple[SeedOutcome, ...]
    reproducers: Mapping[tuple[int, str], str]
    wall_seconds: float
    jobs: int
    backend: str
    replay_target: str

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
            "backend": self.backend,
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
            "runs": [self._run(o) for o in outcomes],
            "wall_seconds": round(wall, 3),
            "seeds_per_second": round(len(outcomes) / wall, 1) if wall else 0.0,
        }

    def _run(self, outcome: SeedOutcome) -> dict[str, Any]:
        """One seed's line of the report; ``replay`` for every seed that is not a clean
        Succeeded run."""
        clean = outcome.status == "Succeeded" and outcome.finished and not outcome.violations
        return {
            "seed": outcome.seed,
            "status": outcome.status,
            "error": outcome.error,
            "duration_seconds": outcome.duration_seconds,
            "faults": [dict(f) for f in outcome.faults],
            "fired": dict(sorted(outcome.fired.items())),
            "violations": len(outcome.violations),
            "replay": None if clean else replay_command(self.replay_target, outcome.seed),
        }


def with_faults(scenario: Scenario, faults: Iterable[FaultSpec]) -> Scenario:
    """``scenario`` with exactly ``faults`` (the swarm's profile scripts kept)."""
    return replace(scenario, faults=tuple(faults))
