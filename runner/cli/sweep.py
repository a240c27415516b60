"""``pycau sweep``: many seeds of one scenario with random (swarm) faults, in parallel.

Owns: the ``sweep`` command — options, writing the JSON sweep report (shape in
``runner/schemas/sweep.schema.json``) and the exit code: 0 when no seed violated an
invariant and every run ended with a final status, 1 otherwise, 2 on bad input, 3 when the
Dask scheduler or its workers cannot be used. The summary is ``runner.cli.sweep_summary``'s,
the backend options (``--jobs``, ``--dask``, ``--dask-timeout``) ``runner.cli.backend_options``'.

Theory of operation: ``runner.rehearsal.sweep`` runs the seeds on a backend of
``runner.rehearsal.backends`` — local processes (default; ``--jobs``, capped at the seeds
and the CPUs), a Dask LocalCluster (``--dask local:N``) or a running Dask scheduler
(``--dask tcp://HOST:PORT``) — which give the same outcomes in seed order. Each violation
of a seed is then shrunk (``runner.rehearsal.shrink``: remove one fault at a time, greedy,
re-running) to the smallest fault list that still violates the same invariant, and written
as a scenario file that ``pycau simulate`` replays (exit 1 until fixed). Every seed that is
not a clean Succeeded run gets the command that replays it (``pycau simulate … --swarm``).
Every fault type the swarm can generate should fire at least once in a default sweep; the
summary warns when one did not.

Must not: hold sweep mechanics (the rehearsal package does) or import ``simulator`` or dask.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path
from typing import Any

import click

from runner.cli.backend_options import (
    backend_name,
    backend_options,
    backend_unavailable,
    choose_backend,
)
from runner.cli.output import check_directory_target, report_target_option, write_report
from runner.cli.render_options import Renderings, rendering_options
from runner.cli.sweep_summary import print_summary
from runner.errors import BackendUnavailable, InputError
from runner.rehearsal.backends import Backend
from runner.rehearsal.pools import open_pool
from runner.rehearsal.shrink import reproduce
from runner.rehearsal.sweep import ScenarioSource, SweepResult, run_seeds

__all__ = ["load_sweep_schema", "sweep", "sweep_exit_code"]

DEFAULT_REPRODUCERS = Path("sweep-reproducers")


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
@backend_options
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_target_option,
    help="Write the JSON sweep report to this file (atomically): every seed with its "
    "status, duration, faults and, unless it is a clean Succeeded run, its replay command.",
)
@rendering_options
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
    dask: Backend | None,
    dask_timeout: float,
    report_path: Path | None,
    html_path: Path | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    reproducer_dir: Path,
) -> int:
    """Rehearse SCENARIO (a file, or NAME a bundled scenario) with seeds S..S+N-1, each with
    random (swarm) faults.

    Prints statuses, invariant violations, simulated-duration percentiles (hours and
    minutes) and which fault types fired (warning when a type never fired in 100 or more
    seeds); writes a minimal reproducer scenario per violation and per run without a final
    status, and names, for each seed that is not a clean Succeeded run, the command that
    replays it (`pycau simulate SCENARIO --seed S --swarm`). --html, --junit and --markdown
    render the sweep report (duration histogram, those seeds with their replay commands;
    JUnit: one testcase per seed). Exit status: 0 when no
    invariant was violated and every run ended with a final status, 1 otherwise, 2 on bad
    input, 3 when the Dask scheduler or its workers cannot be used.
    """
    from runner.rehearsal import scenarios as found

    path = found.resolve(scenario)
    if problem := check_directory_target(reproducer_dir):
        raise InputError(str(reproducer_dir), "", f"cannot write reproducers: {problem}")
    source = ScenarioSource.read(path)
    loaded = source.load()
    backend = choose_backend(dask, dask_timeout, jobs, count)

    seeds = list(range(first_seed, first_seed + count))
    start = time.perf_counter()  # the wall time includes starting the pool or cluster
    try:
        with open_pool(backend) as pool:
            outcomes = run_seeds(source, seeds, pool)
            wall = time.perf_counter() - start
            label, workers = pool.label, pool.workers
    except BackendUnavailable as exc:
        return backend_unavailable(exc)
    result = SweepResult(
        scenario=loaded.name,
        outcomes=tuple(outcomes),
        reproducers=reproduce(path, reproducer_dir, outcomes),
        wall_seconds=wall,
        jobs=workers,
        backend=backend_name(backend),
        replay_target=scenario,
    )
    report = result.to_dict()

    if report_path is not None:
        try:
            write_report(report_path, report)
        except OSError as exc:
            raise InputError(str(report_path), "", f"cannot write the report: {exc}") from exc
    Renderings(html=html_path, junit=junit_path, markdown=markdown_path).write(report)
    print_summary(report, found.swarm_types(), label, report_written=report_path is not None)
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
