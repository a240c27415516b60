"""Benchmark of simulated runs: wall seconds, peak memory and simulated events per second.

Simulates the bundled 16-node/400-VM and 64-node SAN scenarios, with the default four-node
scenario as the baseline measured in the same invocation, and prints each against its
target (16 nodes ≤ 1 s, 64 nodes ≤ 5 s, peak memory ≤ 200 MB) and its ratio to the
baseline. Prints; asserts nothing.

Each scenario runs in a fresh child process, so its peak memory (``ru_maxrss``, which
includes the interpreter and imports) is its own. Wall time is the best of ``--repeat`` runs
of world construction + the run + the oracle's verdict (``simulation.wall.seconds``);
loading the YAML is reported separately.

Usage: python benchmarks/bench_simulate.py [--repeat N] [SCENARIO.yaml ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "four-node-rolling.yaml"
# (scenario file, wall-seconds target or None for the baseline)
DEFAULT_RUNS: tuple[tuple[str, float | None], ...] = (
    (BASELINE, None),
    ("sixteen-node-400-vms.yaml", 1.0),
    ("sixty-four-node-san.yaml", 5.0),
)
MEMORY_TARGET_MB = 200.0


def measure_one(path: Path, repeat: int) -> dict[str, Any]:
    """In the child: load ``path`` once, rehearse it ``repeat`` times, return the figures."""
    sys.path.insert(0, str(ROOT))
    from runner.rehearsal.compose import peak_memory_mb, rehearse
    from simulator.scenario import load_scenario

    started = time.perf_counter()
    scenario = load_scenario(path)
    load_seconds = time.perf_counter() - started
    walls: list[float] = []
    report: dict[str, Any] = {}
    for _ in range(repeat):
        report = rehearse(scenario).to_dict()
        walls.append(report["simulation"]["wall"]["seconds"])
    simulation = report["simulation"]
    events = int(simulation["counters"]["events"])
    best = min(walls)
    return {
        "scenario": scenario.name,
        "nodes": len(scenario.cluster.nodes),
        "vms": len(scenario.cluster.vms),
        "status": report["status"],
        "invariants_hold": all(v["holds"] for v in simulation["invariants"].values()),
        "simulated_seconds": report["duration_seconds"],
        "events": events,
        "load_seconds": load_seconds,
        "wall_seconds": best,
        "wall_seconds_all": walls,
        "events_per_second": events / best if best > 0 else 0.0,
        "peak_memory_mb": peak_memory_mb(),
    }


def _run_child(path: Path, repeat: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        return {"scenario": path.stem, "error": result.stderr.strip().splitlines()[-1:]}
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return "baseline"
    return f"{'ok' if value <= target else 'MISSED'} (≤ {target:g})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path, help="scenario files to time instead")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (best counts)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure_one(args.child, args.repeat)))
        return 0

    runs: list[tuple[Path, float | None]] = [
        (ROOT / "scenarios" / name, target) for name, target in DEFAULT_RUNS
    ]
    if args.scenarios:
        runs = [(ROOT / "scenarios" / BASELINE, None)] + [(p, None) for p in args.scenarios]

    results = [(_run_child(path, args.repeat), target) for path, target in runs]
    if args.json:
        print(json.dumps([figures for figures, _ in results], indent=2))
        return 0

    baseline = results[0][0]
    header = (
        f"{'scenario':<28} {'nodes':>5} {'vms':>5} {'status':<15} {'sim h':>6} "
        f"{'events':>8} {'wall s':>7} {'events/s':>10} {'peak MB':>8} {'x base':>7}  target"
    )
    print(f"pycau simulate benchmark · python {sys.version.split()[0]} · best of {args.repeat}")
    print(header)
    print("-" * len(header))
    for figures, target in results:
        if "error" in figures:
            print(f"{figures['scenario']:<28} failed: {' '.join(figures['error'])}")
            continue
        ratio = (
            figures["wall_seconds"] / baseline["wall_seconds"]
            if "wall_seconds" in baseline and baseline["wall_seconds"] > 0
            else float("nan")
        )
        verdicts = _verdict(figures["wall_seconds"], target)
        if figures["peak_memory_mb"] > MEMORY_TARGET_MB:
            verdicts += f", memory MISSED (≤ {MEMORY_TARGET_MB:g} MB)"
        if not figures["invariants_hold"]:
            verdicts += ", INVARIANT VIOLATED"
        print(
            f"{figures['scenario']:<28} {figures['nodes']:>5} {figures['vms']:>5} "
            f"{figures['status']:<15} {figures['simulated_seconds'] / 3600:>6.1f} "
            f"{figures['events']:>8} {figures['wall_seconds']:>7.3f} "
            f"{figures['events_per_second']:>10,.0f} {figures['peak_memory_mb']:>8.1f} "
            f"{ratio:>7.1f}  {verdicts}"
        )
    print(f"\nYAML load time excluded from wall s; memory target ≤ {MEMORY_TARGET_MB:g} MB each.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
