"""Benchmark of how a simulated run's wall time grows with the cluster: 16 to 256 nodes.

Generates SAN-backed clusters shaped like the bundled ``sixty-four-node-san`` (512 GB nodes,
about 31 VMs of 8 GB per node, a file-share witness, one cumulative update), rehearses each
in this process (best of ``--repeat``) and prints per node count the wall seconds, the model
events, the seconds per node and the ratio to the smallest cluster measured in the same run
(linear growth keeps ``x base`` equal to ``nodes x``), then the fitted exponent of
wall ∝ nodesᵏ (least squares on log–log; 1.0 is linear) over the whole range and between
neighbours. With ``--split`` it also times the simulator at its entry points
(``benchmarks/sim_share.py``) and prints its seconds and the rest's (the runner's), each
with its own exponent. Prints; asserts nothing.

The scenarios are built in code, not loaded: a scenario file allows at most 64 nodes (a
failover cluster's limit), while this measures the simulator past it.

Usage: python benchmarks/bench_scaling.py [--repeat N] [--nodes 16 32 64 128 256] [--split]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NODES = (16, 32, 64, 128, 256)
VMS_PER_NODE = 2000 / 64  # as the bundled 64-node scenario


def scenario_of(nodes: int) -> Any:
    """A ``simulator.model.Scenario`` of ``nodes`` SAN-backed nodes, VMs spread evenly."""
    from runner.types import WitnessType
    from simulator.model import ClusterSpec, NodeSpec, Scenario, UpdateSpec, VmSpec

    names = [f"node{i + 1}" for i in range(nodes)]
    vms = round(nodes * VMS_PER_NODE)
    return Scenario(
        name=f"scaling-{nodes}",
        seed=nodes,
        cluster=ClusterSpec(
            name=f"hv{nodes}",
            witness=WitnessType.FILE_SHARE,
            nodes=tuple(
                NodeSpec(name=n, memory_gb=512, boot_minutes=10, soft_boot_minutes=2) for n in names
            ),
            vms=tuple(
                VmSpec(name=f"vm{i + 1:05d}", owner=names[i % nodes], memory_gb=8)
                for i in range(vms)
            ),
        ),
        updates=(
            UpdateSpec(
                id="KB5031364", title="2023-10 Cumulative Update", install_minutes=20, restart=True
            ),
        ),
    )


def measure(nodes: int, repeat: int, timer: Any = None) -> dict[str, Any]:
    """The best of ``repeat`` rehearsals; with a ``SimulatorTimer``, the simulator's part."""
    from runner.rehearsal.compose import rehearse

    scenario = scenario_of(nodes)
    runs: list[tuple[float, float]] = []
    report: dict[str, Any] = {}
    for _ in range(repeat):
        gc.collect()
        if timer is not None:
            timer.reset()
        report = rehearse(scenario).to_dict()
        runs.append((report["simulation"]["wall"]["seconds"], timer.spent if timer else 0.0))
    simulation = report["simulation"]
    wall, simulator = min(runs)
    return {
        "nodes": nodes,
        "status": report["status"],
        "holds": all(v["holds"] for v in simulation["invariants"].values()),
        "events": simulation["counters"]["events"],
        "wall": wall,
        "simulator": simulator,
    }


def exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(wall) over log(nodes)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(w) for _, w in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den if den else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (best counts)")
    parser.add_argument("--nodes", type=int, nargs="+", default=list(DEFAULT_NODES))
    parser.add_argument("--split", action="store_true", help="time the simulator's part too")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    timer = None
    if args.split:
        from sim_share import SimulatorTimer

        timer = SimulatorTimer().install()

    measure(min(args.nodes), 1, timer)  # warm-up: imports and first-call costs
    rows = [measure(n, args.repeat, timer) for n in sorted(args.nodes)]
    base = rows[0]
    print(f"pycau simulation scaling · python {sys.version.split()[0]} · best of {args.repeat}")
    header = (
        f"{'nodes':>5} {'vms':>6} {'status':<10} {'events':>7} {'wall s':>8} "
        f"{'ms/node':>8} {'x base':>7} {'nodes x':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = "" if row["holds"] else "  INVARIANT VIOLATED"
        print(
            f"{row['nodes']:>5} {round(row['nodes'] * VMS_PER_NODE):>6} {row['status']:<10} "
            f"{row['events']:>7} {row['wall']:>8.3f} {1000 * row['wall'] / row['nodes']:>8.2f} "
            f"{row['wall'] / base['wall']:>7.1f} {row['nodes'] / base['nodes']:>7.1f}{verdict}"
        )
    points = [(row["nodes"], row["wall"]) for row in rows]
    steps = ", ".join(
        f"{a[0]}→{b[0]}: {exponent([a, b]):.2f}" for a, b in itertools.pairwise(points)
    )
    print(f"\nfitted exponent (wall ∝ nodes^k, 1.0 = linear): k = {exponent(points):.2f}")
    print(f"between neighbours: {steps}")
    if timer is not None:
        print("\nsimulator (timed at its entry points) and the rest (runner, composition):")
        for row in rows:
            rest = row["wall"] - row["simulator"]
            print(
                f"{row['nodes']:>5} nodes: simulator {row['simulator']:.3f} s "
                f"({100 * row['simulator'] / row['wall']:.0f} %), rest {rest:.3f} s"
            )
        sim_k = exponent([(r["nodes"], r["simulator"]) for r in rows])
        rest_k = exponent([(r["nodes"], r["wall"] - r["simulator"]) for r in rows])
        print(f"exponents: simulator k = {sim_k:.2f}, rest k = {rest_k:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
