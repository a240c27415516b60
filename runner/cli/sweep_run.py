"""Running a seeded sweep: many swarm-faulted rehearsals in parallel, then shrinking.

Owns: ``SeedOutcome`` (what one seed's run left: status, duration, violations, fired fault
types, or the error it raised), ``run_seeds`` (N seeds over a process pool, in chunks),
``shrink_faults`` (the smallest fault list that still violates, greedy one-at-a-time) and
``write_reproducer`` (a scenario YAML file ``pycau simulate`` replays).

Theory of operation: each worker process loads the scenario once (pool initializer), then
for every seed builds ``simulator.swarm.swarm_scenario(scenario, seed)`` and calls
``runner.cli.compose.rehearse``; only a small picklable ``SeedOutcome`` travels back. A run
that raises is an outcome too (``error``), never a crashed sweep. Shrinking re-runs in the
parent process: it is rare (only violating seeds) and must be deterministic.

Must not: print, parse options, or import ``simulator`` at module level (lazily only, as the
rest of ``runner.cli``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.cli.compose import rehearse

if TYPE_CHECKING:
    from simulator.model import FaultSpec, Scenario

__all__ = [
    "SeedOutcome",
    "ViolationRecord",
    "fault_to_yaml",
    "outcome_of",
    "run_seed",
    "run_seeds",
    "shrink_faults",
    "write_reproducer",
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


def outcome_of(seed: int, report: Mapping[str, Any], fault_count: int = 0) -> SeedOutcome:
    """The sweep-relevant facts of one rehearsal's report."""
    simulation = report.get("simulation") or {}
    violations = tuple(
        ViolationRecord(invariant=name, time=float(v["time"]), detail=str(v["detail"]))
        for name, verdict in (simulation.get("invariants") or {}).items()
        for v in verdict.get("violations", [])
    )
    counters = simulation.get("counters") or {}
    return SeedOutcome(
        seed=seed,
        status=report.get("status"),
        duration_seconds=float(report.get("duration_seconds") or 0.0),
        violations=tuple(sorted(violations, key=lambda v: (v.time, v.invariant))),
        fired=dict(counters.get("faults_fired") or {}),
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


def shrink_faults(
    faults: Sequence[FaultSpec], violates: Callable[[Sequence[FaultSpec]], bool]
) -> tuple[FaultSpec, ...]:
    """Greedy one-at-a-time removal: drop each fault whose absence still ``violates``.

    Repeats passes until no single fault can go (a 1-minimal list), so the result is the
    smallest list this strategy reaches; ``faults`` itself must violate.
    """
    current = list(faults)
    changed = True
    while changed:
        changed = False
        index = 0
        while index < len(current):
            candidate = current[:index] + current[index + 1 :]
            if violates(candidate):
                current = candidate
                changed = True
            else:
                index += 1
    return tuple(current)


def fault_to_yaml(spec: FaultSpec) -> dict[str, Any]:
    """A scenario-file ``faults:`` entry that loads back into ``spec``."""
    entry: dict[str, Any] = {"type": spec.type}
    if spec.node is not None:
        entry["node"] = spec.node
    if spec.type == "script-failure":
        entry["script"] = spec.script
    if spec.type in ("install-failure", "script-failure", "drain-failure", "resync-stall") or (
        spec.type == "update-rollback" and spec.attempts != 1
    ):
        entry["attempts"] = "all" if spec.attempts is None else spec.attempts
    if spec.type == "install-failure":
        entry["hresult"] = spec.hresult
    if spec.at_minute is not None:
        entry["at_minute"] = spec.at_minute
    if spec.down_minutes is not None or spec.type == "node-crash":
        entry["down_minutes"] = spec.down_minutes
    for key, value in spec.params.items():  # later types' fields are flat in the file
        entry[key] = value
    return entry


def write_reproducer(
    source: Path,
    directory: Path,
    scenario: Scenario,
    seed: int,
    faults: Sequence[FaultSpec],
    violation: ViolationRecord,
) -> Path:
    """Write the scenario file that replays ``violation``: ``source``'s document with this
    ``seed``, these ``faults`` and an ``expect`` that every invariant holds (status not
    checked), so ``pycau simulate`` exits 1 until the violation is fixed."""
    import yaml

    from runner.cli.output import write_text_atomically

    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["name"] = f"{scenario.name}-seed{seed}-{violation.invariant}"
    document["description"] = (
        f"Sweep reproducer of {scenario.name}, seed {seed}: {violation.invariant} violated "
        f"at {violation.time:g} s — {violation.detail}"
    )
    document["seed"] = seed
    document["faults"] = [fault_to_yaml(f) for f in faults]
    profile = dict(document.get("profile") or {})
    for option in ("pre_update_script", "post_update_script"):
        if scenario.profile.get(option) and not profile.get(option):
            profile[option] = scenario.profile[option]
    if profile:
        document["profile"] = profile
    document["expect"] = {"status": None, "invariants_hold": True}
    header = (
        f"# Reproducer written by `pycau sweep` (seed {seed}).\n"
        f"# Violated: {violation.invariant} at {violation.time:g} s: {violation.detail}\n"
        f"# Replay: pycau simulate {{this file}} — exits 1 while the violation remains.\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{scenario.name}-seed{seed}-{violation.invariant}.yaml"
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    write_text_atomically(target, header + body)
    return target


def with_faults(scenario: Scenario, faults: Iterable[FaultSpec]) -> Scenario:
    """``scenario`` with exactly ``faults`` (the swarm's profile scripts kept)."""
    return replace(scenario, faults=tuple(faults))


def cpu_count() -> int:
    return os.cpu_count() or 1
