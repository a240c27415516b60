"""Shrinking a sweep's violations to reproducers: the fewest faults that still violate.

Owns: ``shrink_faults`` (greedy one-at-a-time removal to a 1-minimal fault list),
``run_seed_with`` (one rehearsal of an exact scenario as a ``SeedOutcome``; never raises),
``reproduce`` (shrink every violating or unfinished seed of a sweep and write its file) and
``write_reproducer`` (a scenario file ``pycau simulate`` replays, exit 1 while the violation
remains; its faults written by ``fault_to_yaml``, from ``runner.rehearsal.fault_yaml``).

Theory of operation: shrinking re-runs in the parent process: it is rare (only violating
seeds) and must be deterministic — the same seed with fewer faults is an ordinary rehearsal.

Must not: print, or import ``simulator`` at module level (lazily only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.atomic_write import write_text_atomically
from runner.rehearsal.compose import rehearse
from runner.rehearsal.fault_yaml import fault_to_yaml
from runner.rehearsal.sweep import UNFINISHED, SeedOutcome, ViolationRecord, outcome_of, with_faults

if TYPE_CHECKING:
    from simulator.model import FaultSpec, Scenario

__all__ = ["fault_to_yaml", "reproduce", "run_seed_with", "shrink_faults", "write_reproducer"]


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


def run_seed_with(scenario: Scenario, seed: int) -> SeedOutcome:
    """One rehearsal of an exact scenario (no swarm), as an outcome; never raises."""
    try:
        return outcome_of(seed, rehearse(scenario, seed), len(scenario.faults))
    except Exception as exc:  # shrinking must survive a crashing candidate
        return SeedOutcome(seed=seed, error=f"{type(exc).__name__}: {exc}")


def _violates(scenario: Scenario, seed: int, invariant: str) -> Callable[[Sequence[Any]], bool]:
    """Whether ``scenario`` with a candidate fault list still violates ``invariant``."""

    def violates(faults: Sequence[Any]) -> bool:
        trial = run_seed_with(with_faults(scenario, faults), seed)
        return any(v.invariant == invariant for v in trial.violations)

    return violates


def _unfinished(scenario: Scenario, seed: int) -> Callable[[Sequence[Any]], bool]:
    """Whether ``scenario`` with a candidate fault list still ends without a final status."""

    def unfinished(faults: Sequence[Any]) -> bool:
        return not run_seed_with(with_faults(scenario, faults), seed).finished

    return unfinished


def reproduce(
    path: Path, directory: Path, outcomes: Sequence[SeedOutcome]
) -> dict[tuple[int, str], str]:
    """Shrink each (seed, invariant) violation, and each run without a final status, and
    write its reproducer file under ``directory``; the files by (seed, invariant)."""
    from simulator.scenario import load_scenario
    from simulator.swarm import swarm_scenario

    base = load_scenario(path)
    written: dict[tuple[int, str], str] = {}
    for outcome in outcomes:
        for violation in outcome.violations:
            key = (outcome.seed, violation.invariant)
            if key in written:
                continue
            swarmed = swarm_scenario(base, outcome.seed)
            smallest = shrink_faults(
                swarmed.faults, _violates(swarmed, outcome.seed, violation.invariant)
            )
            shrunk = run_seed_with(with_faults(swarmed, smallest), outcome.seed)
            shown = next(
                (v for v in shrunk.violations if v.invariant == violation.invariant), violation
            )
            target = write_reproducer(path, directory, swarmed, outcome.seed, smallest, shown)
            written[key] = str(target)
        if not outcome.finished:  # a crash or no final status: shrink what still ends so
            swarmed = swarm_scenario(base, outcome.seed)
            smallest = shrink_faults(swarmed.faults, _unfinished(swarmed, outcome.seed))
            what = ViolationRecord(
                invariant=UNFINISHED, time=0.0, detail=outcome.error or f"status {outcome.status}"
            )
            target = write_reproducer(path, directory, swarmed, outcome.seed, smallest, what)
            written[(outcome.seed, UNFINISHED)] = str(target)
    return written
