"""Same reports before and after a simulator change: save them once, compare them later.

``save DIR`` rehearses every bundled scenario with its own seed and ``--seeds`` swarm-faulted
seeds of a few bundled scenarios (as ``pycau sweep`` runs them), and writes each report and
the world's ground-truth timeline to DIR as JSON. ``check DIR`` rehearses the same runs and
prints every run whose report or timeline differs from the saved one (first differing line).
Exit status 0 when all are identical, 1 otherwise.

Compared: the whole report except ``simulation.wall`` (wall-clock figures) and
``simulation.counters.events`` (what counts as a model event may change on purpose), and the
timeline event for event. Prints; asserts nothing.

Usage: python benchmarks/compare_reports.py save|check DIR [--seeds N]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Swarm seeds are drawn on these scenarios: the default, a larger S2D and a two-node one.
SWARMED = ("four-node-rolling", "eight-node-three-way-mirror", "two-node-cloud-witness")


def comparable(report: dict[str, Any], timeline: list[Any]) -> str:
    """The canonical text of one run: the report without wall figures or the event count."""
    simulation = dict(report.get("simulation") or {})
    simulation.pop("wall", None)
    counters = dict(simulation.get("counters") or {})
    counters.pop("events", None)
    simulation["counters"] = counters
    kept = {**report, "simulation": simulation}
    return json.dumps({"report": kept, "timeline": timeline}, indent=1, sort_keys=True)


def runs(seeds: int) -> Iterator[tuple[str, str]]:
    """(file name, canonical text) of every compared run, in a fixed order."""
    sys.path.insert(0, str(ROOT))
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import load_scenario
    from simulator.swarm import swarm_scenario

    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        run = rehearse(scenario)
        yield f"{path.stem}.json", comparable(run.to_dict(), run.world.timeline)
        if path.stem not in SWARMED:
            continue
        share = seeds if path.stem == SWARMED[0] else max(1, seeds // 6)
        for seed in range(share):
            run = rehearse(swarm_scenario(scenario, seed), seed)
            yield f"{path.stem}-swarm-{seed}.json", comparable(run.to_dict(), run.world.timeline)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seeds", type=int, default=300, help="swarm seeds of the default")
    args = parser.parse_args()
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    compared = differ = 0
    for name, text in runs(args.seeds):
        target = directory / name
        compared += 1
        if args.action == "save":
            target.write_text(text, encoding="utf-8")
            continue
        saved = target.read_text(encoding="utf-8") if target.exists() else ""
        if saved != text:
            differ += 1
            old, new = saved.splitlines(), text.splitlines()
            line = next(
                (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)),
            )
            print(f"DIFFERS {name} at line {line + 1}")
            print(f"  saved: {old[line] if line < len(old) else '<end>'}")
            print(f"  now:   {new[line] if line < len(new) else '<end>'}")
    verb = "saved" if args.action == "save" else f"compared, {differ} differ"
    print(f"{compared} runs {verb} ({directory})")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
