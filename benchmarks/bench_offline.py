"""Benchmark of the fast offline update against the rolling run: makespan and downtime.

Rehearses the bundled 4-, 8- and 16-node scenarios (``four-node-rolling``,
``eight-node-three-way-mirror``, ``sixteen-node-400-vms``) once in each mode — the same
cluster, updates and seed, only the profile's ``mode`` differs — and prints, side by side,
the simulated makespan of each run, the offline/rolling ratio, the cluster's downtime (the
offline run's ``cluster_timing.downtime_seconds``, its planned downtime beside it; a rolling
run never stops the cluster) and the VMs' downtime (``simulation.counters``'
``vm_downtime_seconds``, summed over every VM, and per VM). Prints; asserts nothing.

Usage: python benchmarks/bench_offline.py [SCENARIO.yaml ...]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = (
    "four-node-rolling.yaml",
    "eight-node-three-way-mirror.yaml",
    "sixteen-node-400-vms.yaml",
)


def _minutes(seconds: float) -> str:
    whole = round(seconds / 60.0)
    hours, minutes = divmod(whole, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def measure(path: Path) -> dict[str, Any]:
    """Both modes of one scenario: the figures this benchmark prints."""
    sys.path.insert(0, str(ROOT))
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import load_scenario

    scenario = load_scenario(path)
    row: dict[str, Any] = {"scenario": scenario.name, "nodes": len(scenario.cluster.nodes),
                           "vms": len(scenario.cluster.vms)}  # fmt: skip
    for mode in ("rolling", "offline"):
        report = rehearse(scenario, mode=mode).to_dict()
        counters = report["simulation"]["counters"]
        timing = report.get("cluster_timing") or {}
        row[mode] = {
            "status": report["status"],
            "makespan": float(report["duration_seconds"]),
            "cluster_down": float(timing.get("downtime_seconds") or 0.0),
            "planned": timing.get("planned_downtime_seconds"),
            "vm_down": float(counters["vm_downtime_seconds"]),
        }
    return row


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / "scenarios" / name for name in DEFAULT]
    header = (
        f"{'scenario':<28} {'nodes':>5} {'VMs':>4}  {'rolling':>8} {'offline':>8} "
        f"{'ratio':>6}  {'cluster down':>12} {'planned':>8}  {'VM down/VM':>16}  status"
    )
    print(header)
    print("-" * len(header))
    for path in paths:
        row = measure(path)
        rolling, offline = row["rolling"], row["offline"]
        ratio = offline["makespan"] / rolling["makespan"] if rolling["makespan"] else 0.0
        vms = max(row["vms"], 1)
        per_vm = f"{rolling['vm_down'] / vms:5.0f}s / {_minutes(offline['vm_down'] / vms):>6}"
        planned = _minutes(offline["planned"]) if offline["planned"] is not None else "—"
        print(
            f"{row['scenario']:<28} {row['nodes']:>5} {row['vms']:>4}  "
            f"{_minutes(rolling['makespan']):>8} {_minutes(offline['makespan']):>8} "
            f"{ratio:>6.2f}  {_minutes(offline['cluster_down']):>12} {planned:>8}  "
            f"{per_vm:>16}  {rolling['status']}/{offline['status']}"
        )
    print("ratio = offline makespan / rolling makespan; cluster down: the offline window "
          "(a rolling run never stops the cluster); VM down/VM: rolling seconds / offline "
          "time, per VM")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
