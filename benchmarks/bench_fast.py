"""Benchmark of the fast policy against classic: simulated makespans and lower bounds.

For the bundled ``eight-node-three-way-mirror``, ``sixteen-node-400-vms`` and
``sixty-four-node-san`` scenarios (their own seeds) it rehearses the run twice in this
process — ``policy: classic`` and ``policy: fast`` with ``max_nodes_out: auto`` — and prints
per scenario the simulated makespans (the report's ``duration_seconds``, not wall time), the
one-at-a-time lower bound (``simulator.bounds.lower_bound_seconds``), fast's own lower bound
(``simulator.bounds_fast.fast_lower_bound_seconds``: at most the most nodes out that keep
a margin of one node at once, quality updates installed before the drain, each node's scan
before its drain and re-scan before its resume, resync after each node on Storage Spaces
Direct) with that number of nodes, the ratios
fast/classic and fast/own bound, whether every invariant (``redundancy-margin`` included)
held in each run, and the wall seconds of each simulation. Then the issue's goals, one
PASS or MISS line each: 64-node SAN fast ≤ 0.15× classic; 8-node three-way mirror fast ≤
0.90× classic; fast ≤ 1.25× its own bound (every scenario). When this tree has no fast
policy (the profile refuses it) the fast columns say so and the goals needing it are
``n/a``. Prints; asserts nothing; exit 0.

Usage: python benchmarks/bench_fast.py [SCENARIO_NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("eight-node-three-way-mirror", "sixteen-node-400-vms", "sixty-four-node-san")
GOALS = (  # (scenario, fast / classic at most)
    ("sixty-four-node-san", 0.15),
    ("eight-node-three-way-mirror", 0.90),
)
OWN_BOUND_GOAL = 1.25


def simulate(scenario: Any, profile: dict[str, Any]) -> tuple[dict[str, Any] | str, float]:
    """The report of one rehearsal with ``profile`` (or why it could not run) and its wall
    seconds."""
    from runner.errors import InputError
    from runner.rehearsal.compose import rehearse

    started = time.perf_counter()
    try:
        report = rehearse(replace(scenario, profile=profile)).to_dict()
    except InputError as error:
        return f"not available: {error}", time.perf_counter() - started
    return report, time.perf_counter() - started


def measure(name: str) -> dict[str, Any]:
    """Classic and fast runs of one bundled scenario, and its bounds."""
    from runner.profile import Profile
    from simulator.bounds import lower_bound_seconds
    from simulator.bounds_fast import fast_lower_bound_seconds
    from simulator.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    base = dict(scenario.profile)
    classic, classic_wall = simulate(scenario, {**base, "policy": "classic"})
    fast, fast_wall = simulate(scenario, {**base, "policy": "fast", "max_nodes_out": "auto"})
    profile = Profile.from_mapping(base, source=name).resolved(scenario.cluster.node_names)
    own, nodes_out = fast_lower_bound_seconds(
        scenario, profile, staged=not profile.pre_update_script
    )
    return {
        "name": name,
        "classic": classic,
        "fast": fast,
        "walls": (classic_wall, fast_wall),
        "bound": lower_bound_seconds(scenario, profile),
        "own": own,
        "nodes_out": nodes_out,
    }


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h"


def duration(report: dict[str, Any] | str) -> float | None:
    return float(report["duration_seconds"]) if isinstance(report, dict) else None


def verdict(report: dict[str, Any] | str) -> str:
    """The run's status and whether every invariant held (the violated ones named)."""
    if not isinstance(report, dict):
        return report
    broken = [n for n, v in report["simulation"]["invariants"].items() if not v["holds"]]
    held = "every invariant held" if not broken else f"VIOLATED {', '.join(broken)}"
    return f"{report['status']}, {held}"


def print_row(row: dict[str, Any]) -> None:
    classic, fast = duration(row["classic"]), duration(row["fast"])
    print(f"{row['name']}")
    print(f"  classic           {hours(classic) if classic else row['classic']}")
    print(f"  fast (auto)       {hours(fast) if fast else row['fast']}")
    print(f"  lower bound, one node at a time      {hours(row['bound'])}")
    print(f"  fast's own lower bound ({row['nodes_out']} out at once) {hours(row['own'])}")
    if classic and fast:
        print(f"  fast / classic    {fast / classic:.3f}")
        print(f"  fast / own bound  {fast / row['own']:.3f}")
        print(f"  classic / one-at-a-time bound {classic / row['bound']:.3f}")
    print(f"  classic run: {verdict(row['classic'])}")
    print(f"  fast run:    {verdict(row['fast'])}")
    walls = row["walls"]
    print(f"  wall seconds per simulation: classic {walls[0]:.2f}, fast {walls[1]:.2f}")


def goal_lines(rows: dict[str, dict[str, Any]]) -> list[str]:
    """One PASS/MISS (or n/a) line per goal."""
    lines = []
    for name, limit in GOALS:
        row = rows.get(name)
        if row is None:
            continue
        classic, fast = duration(row["classic"]), duration(row["fast"])
        if not (classic and fast):
            lines.append(f"n/a   {name}: fast ≤ {limit:.2f}× classic (no fast run)")
            continue
        mark = "PASS" if fast <= limit * classic else "MISS"
        lines.append(f"{mark}  {name}: fast ≤ {limit:.2f}× classic ({fast / classic:.3f})")
    for name, row in rows.items():
        fast = duration(row["fast"])
        if fast is None:
            lines.append(f"n/a   {name}: fast ≤ {OWN_BOUND_GOAL}× its own bound (no fast run)")
            continue
        ratio = fast / row["own"]
        mark = "PASS" if ratio <= OWN_BOUND_GOAL else "MISS"
        lines.append(f"{mark}  {name}: fast ≤ {OWN_BOUND_GOAL}× its own bound ({ratio:.3f})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(DEFAULT), metavar="SCENARIO_NAME")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    print(f"pycau fast vs classic · simulated makespans · python {sys.version.split()[0]}")
    rows = {name: measure(name) for name in args.scenarios}
    for row in rows.values():
        print_row(row)
    print("\ngoals:")
    for line in goal_lines(rows):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
