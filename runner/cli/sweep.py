"""``pycau sweep``: many seeds of one scenario with random (swarm) faults, in parallel.

Owns: the ``sweep`` command — options, the summary it prints, the JSON sweep report
(``summarize``; shape in ``runner/schemas/sweep.schema.json``), the reproducer files of
violating seeds and the exit code: 0 when no seed violated an invariant and every run ended
with a final status, 1 otherwise, 2 on bad input.

Theory of operation: ``runner.cli.sweep_run`` runs the seeds over a process pool; each
violation of a seed is then shrunk (remove one fault at a time, greedy, re-running) to the
smallest fault list that still violates the same invariant, and written as a scenario file
that ``pycau simulate`` replays (exit 1 until fixed). Every fault type the swarm can
generate should fire at least once in a default sweep; the summary warns when one did not.

Must not: hold sweep mechanics (``sweep_run`` does) or import ``simulator`` at module level.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import click

from runner.cli import EXIT_EXPECTATION_FAILED, EXIT_OK, cli
from runner.cli.output import check_directory_target, report_target_option, write_report
from runner.cli.sweep_run import (
    SeedOutcome,
    ViolationRecord,
    cpu_count,
    run_seeds,
    shrink_faults,
    with_faults,
    write_reproducer,
)
from runner.errors import InputError

__all__ = ["load_sweep_schema", "percentile", "summarize", "sweep", "sweep_exit_code"]

DEFAULT_REPRODUCERS = Path("sweep-reproducers")
# A sweep this long must fire every fault type the swarm generates (else it warns).
FIRE_CHECK_SEEDS = 100
UNFINISHED = "unfinished"  # reproducer key of a run that raised or has no final status


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(
    scenario_name: str,
    outcomes: Sequence[SeedOutcome],
    reproducers: dict[tuple[int, str], str],
    wall_seconds: float,
    jobs: int,
) -> dict[str, Any]:
    """The sweep report (``--report``); key order is stable."""
    statuses: dict[str, int] = {}
    fired: dict[str, int] = {}
    for outcome in outcomes:
        if outcome.finished and outcome.status is not None:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        for name, count in outcome.fired.items():
            fired[name] = fired.get(name, 0) + count
    durations = [o.duration_seconds for o in outcomes if o.finished]
    return {
        "scenario": scenario_name,
        "seeds": len(outcomes),
        "first_seed": outcomes[0].seed if outcomes else 0,
        "jobs": jobs,
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
        "wall_seconds": round(wall_seconds, 3),
        "seeds_per_second": round(len(outcomes) / wall_seconds, 1) if wall_seconds else 0.0,
    }


def _reproduce(
    path: Path, directory: Path, outcomes: Sequence[SeedOutcome]
) -> dict[tuple[int, str], str]:
    """Shrink each (seed, invariant) violation and write its reproducer file."""
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
                swarmed.faults, _violation_test(swarmed, outcome.seed, violation.invariant)
            )
            shrunk = run_seed_with(with_faults(swarmed, smallest), outcome.seed)
            shown = next(
                (v for v in shrunk.violations if v.invariant == violation.invariant), violation
            )
            target = write_reproducer(path, directory, swarmed, outcome.seed, smallest, shown)
            written[key] = str(target)
        if not outcome.finished:  # a crash or no final status: shrink what still ends so
            swarmed = swarm_scenario(base, outcome.seed)
            smallest = shrink_faults(swarmed.faults, _unfinished_test(swarmed, outcome.seed))
            what = ViolationRecord(
                invariant=UNFINISHED, time=0.0, detail=outcome.error or f"status {outcome.status}"
            )
            target = write_reproducer(path, directory, swarmed, outcome.seed, smallest, what)
            written[(outcome.seed, UNFINISHED)] = str(target)
    return written


def _unfinished_test(scenario: Any, seed: int) -> Any:
    """Whether ``scenario`` with a candidate fault list still ends without a final status."""

    def unfinished(faults: Sequence[Any]) -> bool:
        return not run_seed_with(with_faults(scenario, faults), seed).finished

    return unfinished


def _violation_test(scenario: Any, seed: int, invariant: str) -> Any:
    """Whether ``scenario`` with a candidate fault list still violates ``invariant``."""

    def violates(faults: Sequence[Any]) -> bool:
        trial = run_seed_with(with_faults(scenario, faults), seed)
        return any(v.invariant == invariant for v in trial.violations)

    return violates


def run_seed_with(scenario: Any, seed: int) -> SeedOutcome:
    """One rehearsal of an exact scenario (no swarm), as an outcome; never raises."""
    from runner.cli.compose import rehearse
    from runner.cli.sweep_run import outcome_of

    try:
        return outcome_of(seed, rehearse(scenario, seed), len(scenario.faults))
    except Exception as exc:  # shrinking must survive a crashing candidate
        return SeedOutcome(seed=seed, error=f"{type(exc).__name__}: {exc}")


def _print_summary(report: dict[str, Any], expected_types: Sequence[str]) -> None:
    echo = click.echo
    seeds, wall = report["seeds"], report["wall_seconds"]
    echo(
        f"{report['scenario']}: {seeds} seed(s) from {report['first_seed']} "
        f"on {report['jobs']} process(es) in {wall:.1f} s ({report['seeds_per_second']} seeds/s)"
    )
    echo("statuses: " + (", ".join(f"{k} {v}" for k, v in report["statuses"].items()) or "none"))
    d = report["duration_seconds"]
    echo(f"simulated duration: P50 {d['p50']:.0f} s, P95 {d['p95']:.0f} s, max {d['max']:.0f} s")
    fired = report["fault_types_fired"]
    echo("faults fired: " + (", ".join(f"{k} {v}" for k, v in fired.items()) or "none"))
    missing = [name for name in expected_types if not fired.get(name)]
    if missing and seeds >= FIRE_CHECK_SEEDS:
        echo(f"warning: fault type(s) never fired: {', '.join(missing)}", err=True)
    violations, unfinished = report["violations"], report["unfinished"]
    echo(f"invariant violations: {len(violations)}; runs without a final status: {len(unfinished)}")
    shown: dict[tuple[int, str], int] = {}
    for v in violations:  # one line per (seed, invariant): the first, and how many more
        shown[(v["seed"], v["invariant"])] = shown.get((v["seed"], v["invariant"]), 0) + 1
    for v in violations:
        more = shown.pop((v["seed"], v["invariant"]), 0) - 1
        if more < 0:
            continue
        extra = f" (+{more} more)" if more else ""
        echo(f"  seed {v['seed']}: {v['invariant']} at {v['time']:g} s: {v['detail']}{extra}")
        if v["reproducer"]:
            echo(f"    reproducer: {v['reproducer']}")
    for u in unfinished:
        echo(f"  seed {u['seed']}: no final status ({u['error'] or u['status']})")
        if u["reproducer"]:
            echo(f"    reproducer: {u['reproducer']}")


@cli.command()
@click.argument("scenario", metavar="SCENARIO|NAME")
@click.option("--seeds", "count", type=click.IntRange(min=1), required=True, help="Seeds to run.")
@click.option(
    "--first-seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="First seed; the sweep runs S..S+N-1.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: CPU count)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_target_option,
    help="Write the JSON sweep report to this file (atomically).",
)
@click.option(
    "--reproducers",
    "reproducer_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REPRODUCERS,
    show_default=True,
    help="Directory for the scenario files that replay each violation.",
)
def sweep(
    scenario: str,
    count: int,
    first_seed: int,
    jobs: int | None,
    report_path: Path | None,
    reproducer_dir: Path,
) -> int:
    """Rehearse SCENARIO (a file, or NAME a bundled scenario) with seeds S..S+N-1, each with
    random (swarm) faults.

    Prints statuses, invariant violations, simulated-duration percentiles and which fault
    types fired (warning when a type never fired in 100 or more seeds); writes a minimal
    reproducer scenario per violation and per run without a final status. Exit status: 0 when no
    invariant was violated and every run ended with a final status, 1 otherwise, 2 on bad
    input.
    """
    from simulator.bundled import resolve_scenario
    from simulator.scenario import load_scenario
    from simulator.swarm import swarm_types

    path = resolve_scenario(scenario)
    if problem := check_directory_target(reproducer_dir):
        raise InputError(str(reproducer_dir), "", f"cannot write reproducers: {problem}")
    try:
        loaded = load_scenario(path)
    except OSError as exc:
        raise InputError(str(path), "", exc.strerror or str(exc)) from exc
    workers = jobs if jobs is not None else cpu_count()

    start = time.perf_counter()
    seeds = list(range(first_seed, first_seed + count))
    outcomes = run_seeds(loaded, path, seeds, workers)
    wall = time.perf_counter() - start
    reproducers = _reproduce(path, reproducer_dir, outcomes)
    report = summarize(loaded.name, outcomes, reproducers, wall, workers)

    if report_path is not None:
        try:
            write_report(report_path, report)
        except OSError as exc:
            raise InputError(str(report_path), "", f"cannot write the report: {exc}") from exc
    _print_summary(report, swarm_types())
    return sweep_exit_code(report)


def sweep_exit_code(report: dict[str, Any]) -> int:
    """0 when no seed violated an invariant and every run finished, else 1."""
    failed = report["violations"] or report["unfinished"]
    return EXIT_EXPECTATION_FAILED if failed else EXIT_OK


def load_sweep_schema() -> dict[str, Any]:
    """The JSON Schema of sweep report files, as shipped in ``runner/schemas``."""
    text = resources.files("runner").joinpath("schemas", "sweep.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
