"""Benchmark of forecasts (`pycau rehearse`): runs per second, one process and a local pool.

Runs the same ``--runs`` seeds of the variable eight-node scenario (every duration and rate
drawn from the seed) in this process and on ``--jobs`` local processes, as `pycau rehearse`
does, and prints for each: the wall time including opening the pool, runs per second, and
whether the runs equal the one-process runs (they must: seeds decide everything). Prints;
asserts nothing.

Usage: python benchmarks/bench_rehearse.py [--runs N] [--jobs J] [SCENARIO.yaml]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "eight-node-three-way-mirror-variable.yaml"


def timed(backend: Any, job: Any, seeds: list[int]) -> tuple[float, list[Any]]:
    """(wall seconds with opening the pool, the runs)."""
    from runner.rehearsal.forecast import run_forecast
    from runner.rehearsal.pools import open_pool

    started = time.perf_counter()
    with open_pool(backend) as pool:
        runs = run_forecast(job, seeds, pool)
    return time.perf_counter() - started, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--runs", type=int, default=200, help="runs per pass (default 200)")
    parser.add_argument("--jobs", type=int, default=2, help="local processes (default 2)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from runner.rehearsal.backends import Processes
    from runner.rehearsal.forecast import ForecastJob
    from runner.rehearsal.sweep import ScenarioSource

    job = ForecastJob(source=ScenarioSource.read(args.scenario))
    seeds = list(range(args.runs))
    print(f"{args.scenario.stem}: {args.runs} runs per pass")
    print(f"{'backend':<22} {'wall s':>8} {'runs/s':>8}  same runs")
    baseline: list[Any] | None = None
    for label, backend in (
        ("1 process", Processes(jobs=1)),
        (f"{args.jobs} local processes", Processes(jobs=args.jobs)),
    ):
        wall, runs = timed(backend, job, seeds)
        baseline = runs if baseline is None else baseline
        print(f"{label:<22} {wall:>8.2f} {len(runs) / wall:>8.1f}  {runs == baseline}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
