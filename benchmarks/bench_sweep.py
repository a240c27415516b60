"""Benchmark of seeded sweeps: seeds per second on each backend, side by side.

Runs the same ``--seeds`` swarm-faulted seeds of the four-node scenario on every backend
``pycau sweep`` has, in this invocation: one process in this process (the baseline), a
pool of ``--jobs`` local processes (the default backend), a Dask ``LocalCluster`` of
``--jobs`` workers (``--dask local:N``) and a real scheduler with ``--jobs`` worker
processes on loopback, started here with the ``dask scheduler`` / ``dask worker`` command
lines (``--dask tcp://…``; their start-up is not counted, as they would already be running).
Each row gives the wall time including opening the backend (starting processes or the
LocalCluster, connecting and checking the workers), that opening alone, seeds per second,
the ratio to the baseline, and whether the outcomes equal the baseline's. Also prints the
target (≥ 50 seeds/s on 2 cores for local processes). Prints; asserts nothing. With
``--split``, a last pass in this process times the simulator at its entry points
(``benchmarks/sim_share.py``) and prints its share of a seed against the rest (the runner's
engine, journal and report, and the composition). ``--no-dask`` leaves the Dask rows out.

Usage: python benchmarks/bench_sweep.py [--seeds N] [--jobs J] [--split] [--no-dask] [SCENARIO.yaml]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "four-node-rolling.yaml"
TARGET_SEEDS_PER_SECOND = 50.0


def timed(backend: Any, source: Any, seeds: Sequence[int]) -> tuple[float, float, list[Any]]:
    """(wall seconds with opening the backend, seconds to open it, outcomes)."""
    from runner.rehearsal.pools import open_pool
    from runner.rehearsal.sweep import run_seeds

    started = time.perf_counter()
    with open_pool(backend) as pool:
        opened = time.perf_counter() - started
        outcomes = run_seeds(source, seeds, pool)
        wall = time.perf_counter() - started
    return wall, opened, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--seeds", type=int, default=400, help="seeds per pass (default 400)")
    parser.add_argument("--jobs", type=int, default=2, help="processes/workers (default 2)")
    parser.add_argument("--split", action="store_true", help="time the simulator's share too")
    parser.add_argument("--no-dask", action="store_true", help="local processes only")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "cli"))
    from runner.rehearsal.backends import DaskLocal, DaskScheduler, Processes
    from runner.rehearsal.sweep import ScenarioSource

    source = ScenarioSource.read(args.scenario)
    seeds = list(range(args.seeds))
    rows: list[tuple[str, float, float, list[Any]]] = []
    rows.append(("1 process (baseline)", *timed(Processes(jobs=1), source, seeds)))
    rows.append((f"{args.jobs} local processes", *timed(Processes(jobs=args.jobs), source, seeds)))
    if not args.no_dask:
        from dask_support import dask_processes

        local = DaskLocal(workers=args.jobs)
        rows.append((f"Dask LocalCluster, {args.jobs} workers", *timed(local, source, seeds)))
        with dask_processes(args.jobs) as (address, _):
            remote = DaskScheduler(address=address)
            label = f"Dask scheduler + {args.jobs} workers"
            rows.append((label, *timed(remote, source, seeds)))

    baseline_rate = len(seeds) / rows[0][1]
    print(f"scenario {source.load().name}, {len(seeds)} seeds per pass")
    print(f"  {'backend':<36} {'wall s':>7} {'open s':>7} {'seeds/s':>8} {'ratio':>6}  same")
    for name, wall, opened, outcomes in rows:
        rate = len(seeds) / wall
        same = outcomes == rows[0][3]
        print(
            f"  {name:<36} {wall:7.2f} {opened:7.2f} {rate:8.1f} "
            f"{rate / baseline_rate:5.2f}x  {same}"
        )
    pooled_rate = len(seeds) / rows[1][1]
    verdict = "meets" if pooled_rate >= TARGET_SEEDS_PER_SECOND else "MISSES"
    print(
        f"  target ≥ {TARGET_SEEDS_PER_SECOND:g} seeds/s with {args.jobs} local processes: "
        f"{verdict}"
    )
    if args.split:
        from sim_share import SimulatorTimer

        from runner.rehearsal.sweep import run_seed

        scenario = source.load()
        timer = SimulatorTimer().install()
        started = time.perf_counter()
        for seed in seeds:
            run_seed(scenario, seed)
        wall = time.perf_counter() - started
        per_seed = 1000 * wall / len(seeds)
        share = timer.spent / wall
        print(
            f"  split (1 process, timed): {per_seed:.1f} ms per seed — simulator "
            f"{per_seed * share:.1f} ms ({100 * share:.0f} %), the rest "
            f"{per_seed * (1 - share):.1f} ms ({100 * (1 - share):.0f} %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
