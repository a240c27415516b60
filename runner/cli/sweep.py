"""``pycau sweep``: many seeds of one scenario with random (swarm) faults, in parallel.

Owns: the ``sweep`` command — options, the summary it prints, writing the JSON sweep
report (shape in ``runner/schemas/sweep.schema.json``) and the exit code: 0 when no seed
violated an invariant and every run ended with a final status, 1 otherwise, 2 on bad input.

Theory of operation: ``runner.rehearsal.sweep`` runs the seeds over a process pool; each
violation of a seed is then shrunk (``runner.rehearsal.shrink``: remove one fault at a time,
greedy, re-running) to the smallest fault list that still violates the same invariant, and
written as a scenario file that ``pycau simulate`` replays (exit 1 until fixed). Every fault
type the swarm can generate should fire at least once in a default sweep; the summary warns
when one did not.

Must not: hold sweep mechanics (the rehearsal package does) or import ``simulator``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import click

from runner.cli.output import check_directory_target, report_target_option, write_report
from runner.errors import InputError
from runner.rehearsal.shrink import reproduce
from runner.rehearsal.sweep import SweepResult, cpu_count, run_seeds

__all__ = ["load_sweep_schema", "sweep", "sweep_exit_code"]

DEFAULT_REPRODUCERS = Path("sweep-reproducers")
# A sweep this long must fire every fault type the swarm generates (else it warns).
FIRE_CHECK_SEEDS = 100


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


@click.command()
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
    from runner.rehearsal import scenarios as found

    path = found.resolve(scenario)
    if problem := check_directory_target(reproducer_dir):
        raise InputError(str(reproducer_dir), "", f"cannot write reproducers: {problem}")
    loaded = found.load(path)
    workers = jobs if jobs is not None else cpu_count()

    start = time.perf_counter()
    seeds = list(range(first_seed, first_seed + count))
    outcomes = run_seeds(loaded, path, seeds, workers)
    wall = time.perf_counter() - start
    result = SweepResult(
        scenario=loaded.name,
        outcomes=tuple(outcomes),
        reproducers=reproduce(path, reproducer_dir, outcomes),
        wall_seconds=wall,
        jobs=workers,
    )
    report = result.to_dict()

    if report_path is not None:
        try:
            write_report(report_path, report)
        except OSError as exc:
            raise InputError(str(report_path), "", f"cannot write the report: {exc}") from exc
    _print_summary(report, found.swarm_types())
    return sweep_exit_code(report)


def sweep_exit_code(report: dict[str, Any]) -> int:
    """0 when no seed violated an invariant and every run finished, else 1."""
    failed = report["violations"] or report["unfinished"]
    return 1 if failed else 0  # exit codes as ``runner.cli``: expectation failed / ok


def load_sweep_schema() -> dict[str, Any]:
    """The JSON Schema of sweep report files, as shipped in ``runner/schemas``."""
    text = resources.files("runner").joinpath("schemas", "sweep.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
