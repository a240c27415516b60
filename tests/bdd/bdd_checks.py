"""Pure helpers the BDD steps use to read a run report (``RunReport.to_dict()`` + simulation).

Owns: building scenario mappings for ``simulator.scenario.parse_scenario``, running them
through ``runner.rehearsal.compose.rehearse`` (also "the same run with" one change), and reading
nodes, phases, events and oracle verdicts out of the report dict. Steps stay thin: they
call these and assert.

Must not: hold expectations of its own — it raises ``AssertionError`` only when evidence a
step needs is missing (a node, a phase) or in ``assert_invariant_holds``, which several
steps share — and never reach into the simulator's world: the report and its
"simulation" section are the only evidence.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from runner.report import PHASES
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.oracle import INVARIANTS
from simulator.post_upgrade import VM_VERSION_INVARIANT

__all__ = [
    "BUNDLED_DIRS",
    "INVARIANTS",
    "MINUTE",
    "PHASES",
    "STATUS",
    "Doc",
    "Interval",
    "Report",
    "assert_every_invariant_judged",
    "assert_invariant_holds",
    "bundled_doc",
    "events",
    "maintenance_intervals",
    "node",
    "out_of_service_intervals",
    "overlaps",
    "phase",
    "profile_value",
    "rehearse_doc",
    "same_run_with",
    "span",
    "suspended_nodes",
    "update_order",
    "with_profile",
]

Report = dict[str, Any]
Doc = dict[str, Any]
Interval = tuple[str, float, float]

# A run's or node's SummaryStatus, as a regex group for step patterns.
STATUS = r"(?P<status>Succeeded|PartiallyFailed|Failed|Canceled)"
MINUTE = 60.0

_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_DIRS = (_ROOT / "scenarios", _ROOT / "simulator" / "scenarios")


def bundled_doc(name: str) -> tuple[dict[str, Any], str]:
    """The mapping of a bundled scenario file and its path (``scenarios/<name>.yaml``)."""
    for folder in BUNDLED_DIRS:
        path = folder / f"{name}.yaml"
        if path.is_file():
            return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    raise FileNotFoundError(f"no bundled scenario {name!r} in {[str(d) for d in BUNDLED_DIRS]}")


def profile_value(text: str) -> Any:
    """A profile value as written in a step: "quoted" text stays literal, else YAML."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]  # Windows paths: YAML would read backslashes as escapes
    return yaml.safe_load(text)


def rehearse_doc(doc: dict[str, Any], seed: int | None, source: str = "<bdd>") -> Report:
    """Parse ``doc`` as a scenario and rehearse it; the full report incl. "simulation"."""
    # Imported here so the features still collect (and the lint test runs) while a part
    # of the tree is missing; a missing part then fails the scenario, not the collection.
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(copy.deepcopy(doc), source=source)
    return rehearse(scenario, seed).to_dict()


def node(report: Report, name: str) -> dict[str, Any]:
    """The report's entry for node ``name``."""
    for entry in report["nodes"]:
        if entry["name"] == name:
            return entry
    raise AssertionError(f"{name} is not in the report: {[n['name'] for n in report['nodes']]}")


def phase(report: Report, name: str, which: str) -> tuple[float, float] | None:
    """``(start, end)`` seconds of a node's phase in its last attempt, or None."""
    span = node(report, name)["timing"].get(which)
    return None if span is None else (float(span[0]), float(span[1]))


def events(
    report: Report,
    *,
    event_id: int | None = None,
    node_name: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Report events filtered by CAU event id, node and kind, in time order."""
    return [
        e
        for e in report["events"]
        if (event_id is None or e.get("event_id") == event_id)
        and (node_name is None or e.get("node") == node_name)
        and (kind is None or e.get("kind") == kind)
    ]


def suspended_nodes(report: Report) -> list[str]:
    """Nodes the run put into maintenance: a drain phase or a 1008 event."""
    names = {e["node"] for e in events(report, event_id=1008)}
    names.update(n["name"] for n in report["nodes"] if "drain" in n["timing"])
    return sorted(names)


def update_order(report: Report) -> list[str]:
    """Nodes that were drained, in the order their (last) drain started."""
    drained = [
        (n["timing"]["drain"][0], n["name"]) for n in report["nodes"] if "drain" in n["timing"]
    ]
    return [name for _, name in sorted(drained)]


def out_of_service_intervals(report: Report) -> list[Interval]:
    """Per drained node: from drain start to resume end (or its last phase end)."""
    spans: list[Interval] = []
    for entry in report["nodes"]:
        timing = entry["timing"]
        if "drain" not in timing:
            continue
        start = float(timing["drain"][0])
        if "resume" in timing:
            end = float(timing["resume"][1])
        else:  # failed and left out: count it out until its last recorded phase ended
            end = max(float(span[1]) for span in timing.values())
        spans.append((entry["name"], start, end))
    return sorted(spans, key=lambda s: s[1])


def maintenance_intervals(report: Report) -> list[Interval]:
    """From the events: each 1008 (entered maintenance) to the node's next 1009 (or run end)."""
    spans: list[Interval] = []
    open_at: dict[str, float] = {}
    for e in report["events"]:
        if e.get("event_id") == 1008:
            open_at[e["node"]] = float(e["time"])
        elif e.get("event_id") == 1009 and e["node"] in open_at:
            spans.append((e["node"], open_at.pop(e["node"]), float(e["time"])))
    end = float(report["duration_seconds"])
    spans.extend((name, start, end) for name, start in open_at.items())
    return sorted(spans, key=lambda s: s[1])


def overlaps(spans: list[Interval]) -> list[tuple[Interval, Interval]]:
    """Pairs of intervals (sorted by start) where the later starts before the earlier ends."""
    found = []
    for i, first in enumerate(spans):
        for second in spans[i + 1 :]:
            if second[1] < first[2] - 1e-6:
                found.append((first, second))
    return found


def with_profile(option: str, value: str) -> Callable[[Doc], None]:
    """A change that sets one profile option (value as written in the step)."""

    def change(doc: Doc) -> None:
        doc.setdefault("profile", {})[option] = profile_value(value)

    return change


def same_run_with(
    report: Report, doc: Doc, source: dict[str, str], change: Callable[[Doc], None]
) -> Report:
    """Rehearse the same scenario and seed with one change applied to a copy of the doc."""
    other = copy.deepcopy(doc)
    change(other)
    return rehearse_doc(other, report["simulation"]["seed"], source["source"])


def span(report: Report, name: str, which: str) -> tuple[float, float]:
    """A node's phase; fails naming the node's timing when the phase is absent."""
    found = phase(report, name, which)
    assert found is not None, f"{name} has no {which} phase: {node(report, name)['timing']}"
    return found


def assert_every_invariant_judged(report: Report) -> None:
    """The oracle judged the ten invariants, mixed-mode-migration only in a run whose
    cluster ran more than one OS version and vm-version-downtime only in one that stopped or
    upgraded a VM (each is listed only then)."""
    judged = set(report["simulation"]["invariants"])
    extra = {MIXED_MODE_INVARIANT, VM_VERSION_INVARIANT}
    assert set(INVARIANTS) <= judged <= {*INVARIANTS, *extra}, sorted(judged)


def assert_invariant_holds(report: Report, name: str) -> None:
    """One oracle invariant holds with no recorded violation."""
    verdict = report["simulation"]["invariants"][name]
    assert verdict["holds"], verdict
    assert not verdict["violations"], verdict
