"""A run report's JSON turned into what its renderings show: the view model.

Owns: ``RunView`` and ``run_view(report)`` — the summary in CAU's words, one timeline row per
node (every attempt's phases, from the report's ``phase-start``/``phase-end`` events, else
the node's ``timing``), failure/restart/retry marks, the cluster-wide rows, the health lanes
(``runner.render.health``), per-node updates with decoded HRESULTs, the events, the
invariants with their evidence, and every top-level field this module does not know (shown
as it is, so a field added later is never lost nor breaks a rendering).

Everything here is read from the report dictionary and nothing else: a rendering claims
only what the JSON says. Unknown phase names, event kinds and fields are carried through.

Hook for cluster-wide phases (offline mode, post-upgrade steps): ``CLUSTER_ROW_SOURCES`` is
a tuple of functions ``report → rows``; a new report field gets one small function there.

Must not: read files or clocks, import the simulator, or produce markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runner.render.health import Lane, health_lanes
from runner.render.hresults import decode_hresult
from runner.render.spans import Bar, Mark, Row, as_list, as_map, phase_rows

__all__ = [
    "CLUSTER_ROW_SOURCES",
    "EventView",
    "InvariantView",
    "NodeView",
    "RunView",
    "UpdateView",
    "run_view",
]

# The report's top-level keys this module renders itself; any other key is shown as it is.
_KNOWN_KEYS = frozenset(
    ("schema_version", "run_id", "cluster", "mode", "policy", "profile", "started_at",
     "finished_at", "duration_seconds", "status", "error_id", "error", "nodes", "events",
     "simulation", "cluster_timing")
)  # fmt: skip
_KNOWN_SIMULATION = frozenset(
    ("scenario", "seed", "invariants", "fault_losses", "lower_bound_seconds", "counters", "wall")
)
STATUSES = ("Succeeded", "PartiallyFailed", "Failed", "Canceled")


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateView:
    id: str
    title: str
    result: str
    hresult: str | None
    meaning: str | None  # decode_hresult(hresult)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeView:
    name: str
    status: str
    attempts: int
    restarts: int
    boot_type: str | None
    error: str | None
    updates: tuple[UpdateView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventView:
    time: float
    kind: str
    node: str | None
    detail: str
    event_id: int | None
    phase: str | None
    attempt: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InvariantView:
    name: str
    holds: bool
    violations: tuple[tuple[float, str], ...]
    consented: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """One run report as its renderings show it (see the module docstring)."""

    run_id: str
    cluster: str
    mode: str
    policy: str
    started_at: str
    finished_at: str
    duration: float
    status: str
    error_id: str | None
    error: str | None
    nodes_by_status: tuple[tuple[str, int], ...]
    nodes: tuple[NodeView, ...]
    node_rows: tuple[Row, ...]
    cluster_rows: tuple[Row, ...]
    lanes: tuple[Lane, ...]
    span: float  # seconds the timeline covers
    events: tuple[EventView, ...]
    # None for a report without a simulation section: no oracle judged the run.
    invariants: tuple[InvariantView, ...] | None
    fault_losses: tuple[tuple[float, str, str], ...]
    scenario: str | None
    seed: int | None
    facts: tuple[tuple[str, str], ...]  # simulation figures: lower bound and counters
    other: tuple[tuple[str, Any], ...]  # fields this module does not know, as they are

    @property
    def phases(self) -> tuple[str, ...]:
        """Every phase name on the timeline, in first-seen order."""
        seen: dict[str, None] = {}
        for row in (*self.node_rows, *self.cluster_rows):
            for bar in row.bars:
                seen.setdefault(bar.phase, None)
        return tuple(seen)


def _node_less_phases(report: Mapping[str, Any]) -> list[Row]:
    """Phase events without a node: the cluster's own phases, one row."""
    events = [e for e in _events(report) if e.get("node") is None and e.get("phase")]
    return phase_rows(events, key=lambda e: "cluster", end=_end(report))


def _cluster_timing(report: Mapping[str, Any]) -> list[Row]:
    """A ``cluster_timing`` mapping ``{phase: [start, end]}``, when the report has one."""
    timing = report.get("cluster_timing")
    if not isinstance(timing, Mapping) or not timing:
        return []
    bars = tuple(
        Bar(phase=str(name), start=float(span[0]), end=float(span[1]), attempt=None, open=False)
        for name, span in timing.items()
        if isinstance(span, Sequence) and len(span) == 2
    )
    return [Row(name="cluster (timing)", status=None, bars=bars, marks=())] if bars else []


CLUSTER_ROW_SOURCES: tuple[Callable[[Mapping[str, Any]], list[Row]], ...] = (
    _node_less_phases,
    _cluster_timing,
)


def _events(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    events = report.get("events")
    return [e for e in events if isinstance(e, Mapping)] if isinstance(events, list) else []


def _nodes(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    nodes = report.get("nodes")
    return [n for n in nodes if isinstance(n, Mapping)] if isinstance(nodes, list) else []


def _end(report: Mapping[str, Any]) -> float:
    """The last instant the report speaks of (its duration, or a later event)."""
    times = [float(report.get("duration_seconds") or 0.0)]
    times += [float(e.get("time") or 0.0) for e in _events(report)]
    return max(times)


def _node_row(report: Mapping[str, Any], node: Mapping[str, Any]) -> Row:
    name = str(node.get("name"))
    events = [e for e in _events(report) if e.get("node") == name]
    rows = phase_rows([e for e in events if e.get("phase")], key=lambda e: name, end=_end(report))
    if rows:
        bars = rows[0].bars
    else:  # no phase events (an older or hand-made report): the last attempt's timing
        timing = as_map(node.get("timing"))
        bars = tuple(
            Bar(phase=str(p), start=float(s[0]), end=float(s[1]), attempt=None, open=False)
            for p, s in timing.items()
        )
    marks = [mark for event in events if (mark := Mark.of_event(event)) is not None]
    attempts = sorted({b.attempt for b in bars if b.attempt is not None and b.attempt > 1})
    for attempt in attempts:
        first = min(b.start for b in bars if b.attempt == attempt)
        marks.append(Mark(time=first, kind="retry", text=f"attempt {attempt} of {name}"))
    marks.sort(key=lambda m: (m.time, m.kind))
    return Row(name=name, status=str(node.get("status")), bars=bars, marks=tuple(marks))


def _update(item: Mapping[str, Any]) -> UpdateView:
    hresult = item.get("hresult")
    return UpdateView(
        id=str(item.get("id")),
        title=str(item.get("title") or ""),
        result=str(item.get("result")),
        hresult=hresult if isinstance(hresult, str) else None,
        meaning=decode_hresult(hresult) if isinstance(hresult, str) else None,
    )


def _node(node: Mapping[str, Any]) -> NodeView:
    updates = as_list(node.get("updates"))
    return NodeView(
        name=str(node.get("name")),
        status=str(node.get("status")),
        attempts=int(node.get("attempts") or 0),
        restarts=int(node.get("restarts") or 0),
        boot_type=node.get("boot_type"),
        error=node.get("error"),
        updates=tuple(_update(u) for u in updates if isinstance(u, Mapping)),
    )


def _event(event: Mapping[str, Any]) -> EventView:
    return EventView(
        time=float(event.get("time") or 0.0),
        kind=str(event.get("kind")),
        node=event.get("node"),
        detail=str(event.get("detail") or ""),
        event_id=event.get("event_id"),
        phase=event.get("phase"),
        attempt=event.get("attempt"),
    )


def _evidence(items: Any) -> tuple[tuple[float, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        (float(i.get("time") or 0.0), str(i.get("detail"))) for i in items if isinstance(i, Mapping)
    )


def _invariants(simulation: Mapping[str, Any] | None) -> tuple[InvariantView, ...] | None:
    if simulation is None or not isinstance(simulation.get("invariants"), Mapping):
        return None
    return tuple(
        InvariantView(
            name=str(name),
            holds=bool(value.get("holds")),
            violations=_evidence(value.get("violations")),
            consented=_evidence(value.get("consented")),
        )
        for name, value in simulation["invariants"].items()
        if isinstance(value, Mapping)
    )


def _facts(simulation: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if simulation is None:
        return ()
    facts = [("lower bound (seconds)", str(simulation.get("lower_bound_seconds")))]
    counters = simulation.get("counters")
    if isinstance(counters, Mapping):
        facts += [(str(k), _compact(v)) for k, v in counters.items()]
    return tuple(facts)


def _compact(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "—"
    return str(value)


def run_view(report: Mapping[str, Any]) -> RunView:
    """The view of a run report (``runner/schemas/report.schema.json``)."""
    raw = report.get("simulation")
    simulation = raw if isinstance(raw, Mapping) else None
    nodes = _nodes(report)
    counts = {status: 0 for status in STATUSES}
    for node in nodes:
        counts[str(node.get("status"))] = counts.get(str(node.get("status")), 0) + 1
    node_rows = tuple(_node_row(report, node) for node in nodes)
    cluster_rows = tuple(row for source in CLUSTER_ROW_SOURCES for row in source(report))
    bars_end = [b.end for row in (*node_rows, *cluster_rows) for b in row.bars]
    losses = simulation.get("fault_losses") if simulation else None
    other = [(k, v) for k, v in report.items() if k not in _KNOWN_KEYS]
    if simulation is not None:
        other += [(f"simulation.{k}", v) for k, v in simulation.items()
                  if k not in _KNOWN_SIMULATION]  # fmt: skip
    return RunView(
        run_id=str(report.get("run_id")),
        cluster=str(report.get("cluster")),
        mode=str(report.get("mode")),
        policy=str(report.get("policy")),
        started_at=str(report.get("started_at")),
        finished_at=str(report.get("finished_at")),
        duration=float(report.get("duration_seconds") or 0.0),
        status=str(report.get("status")),
        error_id=report.get("error_id"),
        error=report.get("error"),
        nodes_by_status=tuple((s, n) for s, n in counts.items() if n),
        nodes=tuple(_node(node) for node in nodes),
        node_rows=node_rows,
        cluster_rows=cluster_rows,
        lanes=health_lanes(report, simulation),
        span=max([_end(report), *bars_end, 1.0]),
        events=tuple(_event(e) for e in _events(report)),
        invariants=_invariants(simulation),
        fault_losses=tuple(
            (float(x.get("time") or 0.0), str(x.get("invariant")), str(x.get("detail")))
            for x in (losses if isinstance(losses, list) else [])
            if isinstance(x, Mapping)
        ),
        scenario=simulation.get("scenario") if simulation else None,
        seed=simulation.get("seed") if simulation else None,
        facts=_facts(simulation),
        other=tuple(other),
    )


def seconds_text(seconds: float) -> str:
    """Seconds as plain decimal text, at most 3 decimals (never an exponent)."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def clock(seconds: float) -> str:
    """Seconds since run start as ``h:mm:ss``."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
