"""``pycau rehearse``: a Monte-Carlo forecast of one scenario's updating run.

Owns: the ``rehearse`` command — options (``--runs``, ``--seed``, ``--window``,
``--faults``, ``--report``, ``--html``/``--junit``/``--markdown`` (``runner.render``'s
renderings of the report, targets checked before the runs start),
``--progress/--no-progress`` and the backend options of ``runner.cli.backend_options``),
the progress bar, writing the JSON forecast report (shape in
``runner/schemas/rehearse.schema.json``) and the exit code: 0 when every run ended with
a final status and no invariant was violated, 1 otherwise, 2 on bad input, 3 when the Dask
scheduler or its workers cannot be used. The summary is ``runner.cli.rehearse_summary``'s.

Theory of operation: ``runner.rehearsal.forecast`` runs seeds S..S+N-1 (S: ``--seed``,
default the scenario's own seed, so ``--runs 1`` is ``pycau simulate``'s run) on local
processes or Dask; ``runner.rehearsal.forecast_report`` turns the runs into the report,
which the summary prints. The progress bar goes to stderr, redrawn after each finished chunk
of seeds, only when stderr is a terminal unless ``--progress``/``--no-progress`` says.

Must not: hold forecast mechanics (the rehearsal package does) or import ``simulator``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from runner.cli.backend_options import (
    backend_name,
    backend_options,
    backend_unavailable,
    choose_backend,
)
from runner.cli.output import report_target_option, write_report
from runner.cli.rehearse_summary import print_forecast
from runner.cli.render_options import Renderings, rendering_options
from runner.errors import BackendUnavailable, InputError
from runner.rehearsal.backends import Backend
from runner.rehearsal.forecast import ForecastJob, parse_window, run_forecast
from runner.rehearsal.forecast_report import Forecast
from runner.rehearsal.pools import open_pool
from runner.rehearsal.sweep import ScenarioSource

__all__ = ["MAX_FAULT_RATE", "progress_bar", "rehearse", "stderr_is_terminal"]

MAX_FAULT_RATE = 20.0  # faults per run; more tells nothing a sweep would not
_BAR = 30


def _window_value(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_window(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: the progress bar's default."""
    return sys.stderr.isatty()


def progress_bar(total: int, echo: Callable[[str], None]) -> Callable[[int], None]:
    """A callback drawing ``[####----] done/total runs`` with ``echo`` (no newline; the
    line is redrawn with a carriage return and ends with a newline when all are done)."""

    def draw(done: int) -> None:
        filled = _BAR * done // total if total else _BAR
        end = "\n" if done >= total else ""
        echo(f"\rrehearse: [{'#' * filled}{'-' * (_BAR - filled)}] {done}/{total} runs{end}")

    return draw


@click.command()
@click.argument("scenario", metavar="SCENARIO|NAME")
@click.option(
    "--runs", type=click.IntRange(min=1), required=True, help="Seeded runs to make (at least 1)."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="First seed (default: the scenario's): the runs use seeds S..S+N-1, each drawing "
    "the scenario's distributions (and, with --faults, its faults) as `pycau simulate "
    "--seed` does.",
)
@click.option(
    "--window",
    "window_seconds",
    metavar="DURATION",
    callback=_window_value,
    help="A maintenance window as hours and/or minutes (6h, 90m, 1h30m): the forecast gives "
    "the probability that the run ends inside it.",
)
@click.option(
    "--faults",
    "fault_rate",
    type=click.FloatRange(min=0, max=MAX_FAULT_RATE),
    default=0.0,
    metavar="RATE",
    help="Add faults drawn from the swarm's catalogue at RATE faults per run on average "
    "(a Poisson count, each of a type chosen evenly, at random nodes and minutes), and "
    "report which fault types most often end a run other than Succeeded. Default 0: only "
    f"the scenario's own faults. At most {MAX_FAULT_RATE:g}.",
)
@backend_options
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_target_option,
    help="Write the JSON forecast report to this file (atomically).",
)
@rendering_options
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Draw a progress bar on stderr (default: only when stderr is a terminal).",
)
def rehearse(
    scenario: str,
    runs: int,
    seed: int | None,
    window_seconds: float | None,
    fault_rate: float,
    jobs: int | None,
    dask: Backend | None,
    dask_timeout: float,
    report_path: Path | None,
    html_path: Path | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    progress: bool | None,
) -> int:
    """Forecast SCENARIO's updating run (a file, or NAME a bundled scenario) from N seeded
    runs.

    Each run draws the durations and rates the scenario gives as distributions from its
    seed. Prints P50/P95/P99 of the run duration (hours and minutes), the probability of
    ending inside --window, the share of runs per final status, each node's P50/P95 time out
    of service, with --faults the fault types that most often end a run other than
    Succeeded, a histogram of the durations, and each run that did not succeed cleanly with
    the command that replays it. --html, --junit and --markdown render the forecast report
    (the HTML with the histogram; JUnit XML with one testcase per seed, failing unless the
    run Succeeded without a violation, and with --window one that fails unless every run
    ends inside it). Exit status: 0 when every run ended with a final status and
    no invariant was violated, 1 otherwise, 2 on bad input, 3 when the Dask scheduler or its
    workers cannot be used.
    """
    from runner.rehearsal import scenarios as found

    path = found.resolve(scenario)
    source = ScenarioSource.read(path)
    loaded = source.load()
    first = loaded.seed if seed is None else seed
    seeds = list(range(first, first + runs))
    backend = choose_backend(dask, dask_timeout, jobs, runs)
    show = stderr_is_terminal() if progress is None else progress
    bar = progress_bar(runs, lambda text: click.echo(text, err=True, nl=False)) if show else None

    start = time.perf_counter()
    try:
        with open_pool(backend) as pool:
            results = run_forecast(
                ForecastJob(source=source, fault_rate=fault_rate), seeds, pool, bar
            )
            wall = time.perf_counter() - start
            label, workers = pool.label, pool.workers
    except BackendUnavailable as exc:
        return backend_unavailable(exc)
    forecast = Forecast(
        scenario=loaded.name,
        replay_target=scenario,
        runs=tuple(results),
        fault_rate=fault_rate,
        window_seconds=window_seconds,
        backend=backend_name(backend),
        jobs=workers,
        wall_seconds=wall,
    )
    report = forecast.to_dict()
    if report_path is not None:
        try:
            write_report(report_path, report)
        except OSError as exc:
            raise InputError(str(report_path), "", f"cannot write the report: {exc}") from exc
    Renderings(html=html_path, junit=junit_path, markdown=markdown_path).write(report)
    print_forecast(report, label, report_written=report_path is not None)
    failed = report["violations"] or report["unfinished"]
    return 1 if failed else 0
