"""The passes of a report, for the checks that hold one report entry per node against the
world: a feature-update run reports its feature-update pass (``nodes``) and its follow-up
quality pass (``follow_up.nodes``) separately, each node once per pass.

Owns: ``Pass`` (one pass: its report view — its nodes and the events in its window — the
window of simulated time it ran in, and the plug-ins it scanned and installed with),
``report_passes`` (the passes of a report: one for an ordinary run, two for a feature-update
run whose follow-up pass ran, split at its ``follow-up-started`` event) and
``ledger_within`` (report-truth's ledger narrowed to one pass's window, so a node's attempts,
restarts and boot type are compared with what the world saw in that pass only).

Theory of operation: every world-wide invariant (quorum, storage, workloads, nodes out,
termination) is judged over the whole run as before; only ``failure-budget`` and
``report-truth`` compare per-node report entries with the world, and they do it pass by
pass: a node's MaxRetriesPerNode is a budget per pass (each pass is one Invoke-CauRun of the
guide), and its attempts, restarts and updates are the world's in that pass.

Must not: change the world or the ledger it narrows, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runner.plugins import PluginName
from simulator.report_truth import TruthLedger

__all__ = ["FOLLOW_UP_STARTED", "Pass", "ledger_within", "report_passes"]

FOLLOW_UP_STARTED = "follow-up-started"  # the event that begins a follow-up pass
_FOREVER = float("inf")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pass:
    """One pass of a run: its report view, its window [start, end) and its plug-ins."""

    report: Mapping[str, Any]
    start: float
    end: float
    plugins: tuple[PluginName, ...]


def report_passes(report: Mapping[str, Any], plugins: tuple[PluginName, ...]) -> list[Pass]:
    """The passes of ``report``; ``plugins``: the run's (the profile's) plug-ins."""
    follow = report.get("follow_up") or {}
    events: Sequence[Mapping[str, Any]] = report.get("events", []) or []
    begun = [float(e.get("time", 0.0)) for e in events if e.get("kind") == FOLLOW_UP_STARTED]
    if not follow.get("ran") or not begun:
        return [Pass(report=report, start=0.0, end=_FOREVER, plugins=plugins)]
    split = begun[0]
    first = {**report, "events": [e for e in events if float(e.get("time", 0.0)) < split]}
    second = {
        **report,
        "nodes": follow.get("nodes", []) or [],
        "events": [e for e in events if float(e.get("time", 0.0)) >= split],
    }
    follow_plugin = PluginName(str(follow.get("plugin", PluginName.WINDOWS_UPDATE.value)))
    return [
        Pass(report=first, start=0.0, end=split, plugins=plugins),
        Pass(report=second, start=split, end=_FOREVER, plugins=(follow_plugin,)),
    ]


def ledger_within(ledger: TruthLedger, window: Pass) -> TruthLedger:
    """``ledger`` narrowed to what happened in ``window`` (troubles lasting into it kept)."""
    start, end = window.start, window.end
    if start <= 0.0 and end == _FOREVER and window.plugins == ledger.plugins:
        return ledger

    def inside(time: float) -> bool:
        return start <= time < end

    narrow = TruthLedger(ledger.world)
    narrow.plugins = window.plugins
    narrow.acts = {n: [a for a in acts if inside(a[0])] for n, acts in ledger.acts.items()}
    firsts = [t for acts in narrow.acts.values() for t, kind, _ in acts if kind != "scan"]
    narrow.first_act = min(firsts) if firsts else None
    narrow.restarts = {n: [r for r in rs if inside(r[0])] for n, rs in ledger.restarts.items()}
    narrow.boots = {n: [t for t in bs if inside(t)] for n, bs in ledger.boots.items()}
    narrow.drains = {n: [s for s in ss if inside(s.start)] for n, ss in ledger.drains.items()}
    narrow.work = [w for w in ledger.work if inside(w[2])]
    narrow.unready = [s for s in ledger.unready if s.start < end and (s.end or end) >= start]
    narrow.troubles = [
        t for t in ledger.troubles if t.time < end and (t.end is None or t.end >= start)
    ]
    return narrow
