"""The quorum and storage-health strip under the timeline, from what the report says.

Owns: ``Lane``, ``Segment`` and ``health_lanes(report, simulation)``: three lanes, each read
from the report JSON only —

- ``nodes in maintenance``: how many nodes were in maintenance, stepping at CAU's events
  1008 (entered) and 1009 (exited);
- ``storage``: when the runner waited for storage — a node's ``storage_wait`` (healthy
  volumes and no repair job before its drain) and ``resync`` (repair after its resume)
  phases — marked red where the oracle saw ``storage-redundancy`` violated or a fault cost
  storage (``simulation.fault_losses``);
- ``quorum``: quorum-at-risk events (1018) and, for simulated runs, the oracle's ``quorum``
  verdict with the instants it was lost.

A real run's report holds no quorum observation, so its quorum lane says so rather than
claiming quorum held.

Must not: read anything but the report, or produce markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.render.spans import Mark

__all__ = ["Lane", "Segment", "health_lanes"]

_STORAGE_PHASES = {"storage_wait": "waiting for healthy storage before", "resync": "resync after"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    start: float
    end: float
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    name: str
    segments: tuple[Segment, ...]
    marks: tuple[Mark, ...]
    note: str  # what the lane rests on, in words
    verdict: str  # ok | violated | unknown (not judged) | info (a count, no verdict)


def _events(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    events = report.get("events")
    return [e for e in events if isinstance(e, Mapping)] if isinstance(events, list) else []


def _maintenance(report: Mapping[str, Any], end: float) -> Lane:
    inside: dict[str, None] = {}
    segments: list[Segment] = []
    since = 0.0
    for event in _events(report):
        kind, node, time = event.get("kind"), str(event.get("node")), float(event.get("time") or 0)
        entering = kind == "node-maintenance-entered" and node not in inside
        leaving = kind == "node-maintenance-exited" and node in inside
        if not (entering or leaving):
            continue
        if inside and time > since:
            segments.append(Segment(start=since, end=time, label=_who(inside)))
        if entering:
            inside[node] = None
        else:
            del inside[node]
        since = time
    if inside and end > since:
        segments.append(Segment(start=since, end=end, label=_who(inside) + " (at the end)"))
    peak = max((s.label.count(",") + 1 for s in segments), default=0)
    note = f"from CAU events 1008/1009; at most {peak} node(s) at once"
    return Lane(name="nodes in maintenance", segments=tuple(segments), marks=(), note=note,
                verdict="info")  # fmt: skip


def _who(inside: Mapping[str, None]) -> str:
    return ", ".join(inside)


def _oracle_marks(simulation: Mapping[str, Any] | None, invariant: str) -> list[Mark]:
    if simulation is None:
        return []
    marks = []
    verdict = simulation.get("invariants", {}).get(invariant, {})
    for item in verdict.get("violations", []) if isinstance(verdict, Mapping) else []:
        text = f"{invariant} violated: {item.get('detail')}"
        marks.append(Mark(time=float(item.get("time") or 0.0), kind="failure", text=text))
    for loss in simulation.get("fault_losses") or []:
        if isinstance(loss, Mapping) and loss.get("invariant") == invariant:
            text = f"lost to an injected fault: {loss.get('detail')}"
            marks.append(Mark(time=float(loss.get("time") or 0.0), kind="failure", text=text))
    return marks


def _held(simulation: Mapping[str, Any] | None, invariant: str, marks: list[Mark]) -> str:
    if simulation is None:
        return "unknown"
    verdict = simulation.get("invariants", {}).get(invariant)
    if not isinstance(verdict, Mapping):
        return "unknown"
    return "ok" if verdict.get("holds") and not marks else "violated"


def _storage(report: Mapping[str, Any], simulation: Mapping[str, Any] | None) -> Lane:
    open_: dict[tuple[str, str], float] = {}
    segments: list[Segment] = []
    for event in _events(report):
        phase = event.get("phase")
        if phase not in _STORAGE_PHASES:
            continue
        key, time = (str(event.get("node")), str(phase)), float(event.get("time") or 0.0)
        if event.get("kind") == "phase-start":
            open_[key] = time
        elif event.get("kind") == "phase-end" and key in open_:
            label = f"{_STORAGE_PHASES[key[1]]} {key[0]}"
            segments.append(Segment(start=open_.pop(key), end=time, label=label))
    marks = _oracle_marks(simulation, "storage-redundancy")
    verdict = _held(simulation, "storage-redundancy", marks)
    if simulation is None:
        note = "the runner's storage waits; no oracle judged this run"
    elif verdict == "ok":
        note = "the runner's storage waits; oracle: storage redundancy held throughout"
    else:
        note = "the runner's storage waits; oracle: storage redundancy lost (red marks)"
    return Lane(name="storage", segments=tuple(segments), marks=tuple(marks), note=note,
                verdict=verdict)  # fmt: skip


def _quorum(report: Mapping[str, Any], simulation: Mapping[str, Any] | None) -> Lane:
    marks = _oracle_marks(simulation, "quorum")
    risk = [
        Mark(time=float(e.get("time") or 0.0), kind="warning", text=f"at risk: {e.get('detail')}")
        for e in _events(report)
        if e.get("kind") == "quorum-at-risk" or e.get("event_id") == 1018
    ]
    verdict = _held(simulation, "quorum", marks)
    if simulation is None:
        note = "not observed in this report (real run): only quorum-at-risk events (1018) show"
    elif verdict == "ok":
        note = "oracle: the cluster and the pool kept quorum throughout"
    else:
        note = "oracle: quorum lost (red marks)"
    every = sorted([*marks, *risk], key=lambda m: m.time)
    return Lane(name="quorum", segments=(), marks=tuple(every), note=note, verdict=verdict)


def health_lanes(
    report: Mapping[str, Any], simulation: Mapping[str, Any] | None
) -> tuple[Lane, ...]:
    """The strip's lanes: nodes in maintenance, storage, quorum (see module docstring)."""
    times = [float(report.get("duration_seconds") or 0.0)]
    times += [float(e.get("time") or 0.0) for e in _events(report)]
    end = max(times)
    return (_maintenance(report, end), _storage(report, simulation), _quorum(report, simulation))
