"""Benchmark of seeded sweeps: seeds per second on 2 cores against one process.

Runs ``--seeds`` swarm-faulted seeds of the four-node scenario twice in the same
invocation — first in this process (the single-process baseline), then over a pool of
``--jobs`` worker processes exactly as ``pycau sweep`` does — and prints seeds per second
for both, the speed-up ratio and the target (≥ 50 seeds/s on 2 cores). Prints; asserts
nothing. Both passes run the same seeds, so they do the same simulated work. With
``--split``, a third pass in this process times the simulator at its entry points
(``benchmarks/sim_share.py``) and prints its share of a seed against the rest (the runner's
engine, journal and report, and the composition).

Usage: python benchmarks/bench_sweep.py [--seeds N] [--jobs J] [--split] [SCENARIO.yaml]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "four-node-rolling.yaml"
TARGET_SEEDS_PER_SECOND = 50.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--seeds", type=int, default=400, help="seeds per pass (default 400)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--split", action="store_true", help="time the simulator's share too")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from runner.rehearsal.sweep import run_seeds
    from simulator.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    seeds = list(range(args.seeds))

    started = time.perf_counter()
    single = run_seeds(scenario, args.scenario, seeds, 1)
    single_wall = time.perf_counter() - started

    started = time.perf_counter()
    pooled = run_seeds(scenario, args.scenario, seeds, args.jobs)
    pooled_wall = time.perf_counter() - started

    same = [(o.seed, o.status, o.violations) for o in single] == [
        (o.seed, o.status, o.violations) for o in pooled
    ]
    single_rate = len(seeds) / single_wall
    pooled_rate = len(seeds) / pooled_wall
    verdict = "meets" if pooled_rate >= TARGET_SEEDS_PER_SECOND else "MISSES"
    print(f"scenario {scenario.name}, {len(seeds)} seeds per pass")
    print(f"  1 process      : {single_wall:7.2f} s  {single_rate:7.1f} seeds/s (baseline)")
    print(
        f"  {args.jobs} processes    : {pooled_wall:7.2f} s  {pooled_rate:7.1f} seeds/s  "
        f"x{pooled_rate / single_rate:.2f} of baseline"
    )
    print(
        f"  target ≥ {TARGET_SEEDS_PER_SECOND:g} seeds/s on {args.jobs} cores: {verdict}; "
        f"same outcomes in both passes: {same}"
    )
    if args.split:
        from sim_share import SimulatorTimer

        timer = SimulatorTimer().install()
        started = time.perf_counter()
        run_seeds(scenario, args.scenario, seeds, 1)
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
