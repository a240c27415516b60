"""Literal report dictionaries for the rendering tests: small, schema-valid, hand-written.

``run_report()`` is a three-node run: node1 updated in one attempt, node2 failed its install
twice (0x80240022, then an unknown code) and was resumed, node3 never operated on (the run
stopped: MaxFailedNodesExceeded); ``with_simulation`` adds the oracle's section with one
violation. ``sweep_report()`` is a six-seed sweep with one violation and one run without a
final status. ``setup_report()`` is a ``pycau test-setup --report`` document.
"""

from __future__ import annotations

import copy
from typing import Any

INVARIANTS = (
    "quorum", "storage-redundancy", "resync-before-next", "workload-availability",
    "max-nodes-out", "nodes-resumed", "failure-budget", "termination", "report-truth",
)  # fmt: skip


def _phase(
    time: float, kind: str, node: str | None, phase: str, attempt: int | None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "time": time,
        "kind": kind,
        "node": node,
        "detail": "",
        "event_id": None,
    }
    event["phase"] = phase
    if attempt is not None:
        event["attempt"] = attempt
    return event


def _cau(time: float, event_id: int, kind: str, node: str | None, detail: str) -> dict[str, Any]:
    return {"time": time, "kind": kind, "node": node, "detail": detail, "event_id": event_id}


def _spans(node: str, attempt: int, spans: list[tuple[str, float, float]]) -> list[dict[str, Any]]:
    events = []
    for phase, start, end in spans:
        events.append(_phase(start, "phase-start", node, phase, attempt))
        events.append(_phase(end, "phase-end", node, phase, attempt))
    return events


def run_report() -> dict[str, Any]:
    """A three-node run report without a simulation section (as a real run writes it)."""
    events = [_cau(0.5, 1003, "run-started", None, "updating run started on 3 node(s)")]
    events += _spans("node1", 1, [("storage_wait", 10, 11), ("drain", 11, 60),
                                  ("install", 60, 900), ("reboot", 900, 1300),
                                  ("resume", 1300, 1310), ("resync", 1310, 1500)])  # fmt: skip
    events.insert(4, _cau(60, 1008, "node-maintenance-entered", "node1", "drained; in maintenance"))
    events.append(_cau(900.5, 1010, "node-restarting", "node1", "restarting (FullBoot asked)"))
    events.append(_cau(1310, 1009, "node-maintenance-exited", "node1", "resumed"))
    events += _spans("node2", 1, [("drain", 1500, 1550), ("install", 1550, 2000)])
    events.append(_cau(1550, 1008, "node-maintenance-entered", "node2", "drained"))
    events.append(_cau(2001, 1009, "node-maintenance-exited", "node2", "resumed after a failure"))
    events += _spans("node2", 2, [("drain", 2100, 2150), ("install", 2150, 2600)])
    events.append(_cau(2600, 1013, "node-failed", "node2", "1 update(s) failed: KB5031364"))
    events.append(_cau(2600, 1019, "max-failed-nodes", None, "2 node(s) failed"))
    events.append(_cau(2601, 1007, "run-failed", None, "MaxFailedNodes reached"))
    node = {"restarts": 0, "boot_type": None, "error": None, "timing": {}}
    return {
        "schema_version": 1,
        "run_id": "9f1c0d52-0000-4000-8000-000000000001",
        "cluster": "hci01",
        "mode": "rolling",
        "policy": "classic",
        "profile": {"max_failed_nodes": 0, "max_retries_per_node": 2},
        "started_at": "2026-01-13T02:00:00Z",
        "finished_at": "2026-01-13T02:43:21Z",
        "duration_seconds": 2601.0,
        "status": "Failed",
        "error_id": "MaxFailedNodesExceeded",
        "error": "1 node(s) failed; MaxFailedNodes is 0",
        "nodes": [
            {
                **node,
                "name": "node1",
                "status": "Succeeded",
                "attempts": 1,
                "restarts": 1,
                "boot_type": "FullBoot",
                "updates": [
                    {
                        "id": "KB5031364",
                        "title": "2023-10 Cumulative Update",
                        "result": "Succeeded",
                        "hresult": None,
                    }
                ],
                "timing": {"drain": [11.0, 60.0], "install": [60.0, 900.0]},
            },
            {
                **node,
                "name": "node2",
                "status": "Failed",
                "attempts": 2,
                "error": "1 update(s) failed: KB5031364 (0x80240022)",
                "updates": [
                    {
                        "id": "KB5031364",
                        "title": "2023-10 Cumulative Update",
                        "result": "Failed",
                        "hresult": "0x80240022",
                    },
                    {
                        "id": "KB5030216",
                        "title": "Servicing Stack Update",
                        "result": "Failed",
                        "hresult": "0x8024ABCD",
                    },
                ],
            },
            {**node, "name": "node3", "status": "Canceled", "attempts": 0, "updates": []},
        ],
        "events": events,
    }


def with_simulation(report: dict[str, Any], *, violated: str | None = "quorum") -> dict[str, Any]:
    """``report`` with a simulation section; ``violated`` has one violation at 1520 s."""
    report = copy.deepcopy(report)
    invariants: dict[str, Any] = {name: {"holds": True, "violations": []} for name in INVARIANTS}
    if violated is not None:
        invariants[violated] = {
            "holds": False,
            "violations": [{"time": 1520.0, "detail": "cluster lost quorum: 1 of 3 votes"}],
        }
    report["simulation"] = {
        "scenario": "three-node-literal",
        "seed": 7,
        "invariants": invariants,
        "fault_losses": [],
        "lower_bound_seconds": 2000.0,
        "counters": {
            "live_migrations": 12,
            "vm_downtime_seconds": 0.0,
            "observations": 40,
            "events": 100,
            "repair_jobs": 2,
        },
        "wall": {"seconds": 0.1, "events_per_second": 1000.0, "peak_memory_mb": 30.0},
    }
    return report


def sweep_report() -> dict[str, Any]:
    """A six-seed sweep: seed 3 violated quorum, seed 5 raised (no final status)."""
    runs = []
    for seed, status, duration in ((0, "Succeeded", 7000.0), (1, "Succeeded", 7100.0),
                                   (2, "PartiallyFailed", 9000.0), (3, "Failed", 8000.0),
                                   (4, "Succeeded", 7050.0), (5, None, 0.0)):  # fmt: skip
        clean = status == "Succeeded"
        runs.append({
            "seed": seed, "status": status, "error": None if status else "RecursionError",
            "duration_seconds": duration,
            "faults": [] if clean else [{"type": "node-crash", "node": "node2"}],
            "fired": {} if clean else {"node-crash": 1},
            "violations": 1 if seed == 3 else 0,
            "replay": None if clean else f"pycau simulate four-node-rolling --seed {seed} --swarm",
        })  # fmt: skip
    return {
        "scenario": "four-node-rolling", "seeds": 6, "first_seed": 0, "jobs": 2,
        "backend": "processes",
        "statuses": {"Succeeded": 3, "PartiallyFailed": 1, "Failed": 1},
        "violations": [{"seed": 3, "invariant": "quorum", "time": 4000.0,
                        "detail": "cluster lost quorum", "reproducer": "repro/seed-3.yaml"}],
        "unfinished": [{"seed": 5, "status": None, "error": "RecursionError",
                        "reproducer": None}],
        "fault_types_fired": {"node-crash": 3},
        "duration_seconds": {"p50": 7100.0, "p95": 9000.0, "max": 9000.0},
        "runs": runs, "wall_seconds": 1.5, "seeds_per_second": 4.0,
    }  # fmt: skip


def setup_report() -> dict[str, Any]:
    """A test-setup report: one rule of each verdict."""
    rule = {"remedy": ""}
    return {
        "kind": "test-setup", "cluster": "127.0.0.1:5985", "result": "Fail",
        "rules": [
            {**rule, "number": 1, "rule": "The failover cluster must be available",
             "verdict": "Pass", "evidence": "cluster hci01 answered"},
            {**rule, "number": 4, "rule": "Remote Shutdown firewall rules",
             "verdict": "Fail", "evidence": "disabled on node4",
             "remedy": "Enable-NetFirewallRule -DisplayGroup 'Remote Shutdown'"},
            {**rule, "number": None, "rule": "Profile scripts exist", "verdict": "Skip",
             "evidence": "no script in the profile"},
            {**rule, "number": 7, "rule": "Automatic updates", "verdict": "Warn",
             "evidence": "Automatic Updates downloads on node2"},
        ],
    }  # fmt: skip
