"""Checking a run's report against a scenario's ``expect`` block.

Owns: ``check_expectation`` — every way a report differs from what the scenario expects, as
sentences an admin can act on (an empty list means the expectation holds) — and
``describe_expectation`` for progress output. ``pycau simulate`` exits 0 exactly when the
list is empty.

Must not: run anything, change the report, or judge what the scenario leaves unchecked
(``None`` fields of ``Expect``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.model import Expect

__all__ = ["check_expectation", "describe_expectation"]


def check_expectation(expect: Expect, report: Mapping[str, Any]) -> list[str]:
    """Human-readable mismatches between ``expect`` and a report dict; empty = holds."""
    mismatches: list[str] = []
    status = report.get("status")
    if expect.status is not None and status != expect.status:
        because = _reason(report.get("error_id"), report.get("error"))
        mismatches.append(f"run status: expected {expect.status}, got {status}{because}")
    if expect.error_id is not None and report.get("error_id") != expect.error_id:
        got = report.get("error_id") or "no error id"
        mismatches.append(f"run error_id: expected {expect.error_id}, got {got}")

    nodes = {n.get("name"): n for n in report.get("nodes", []) if isinstance(n, Mapping)}
    for name, wanted in expect.nodes.items():
        node = nodes.get(name)
        if node is None:
            mismatches.append(f"node {name}: expected {wanted}, but the report has no such node")
        elif node.get("status") != wanted:
            because = _reason(None, node.get("error"))
            mismatches.append(f"node {name}: expected {wanted}, got {node.get('status')}{because}")

    if expect.invariants_hold:
        mismatches.extend(_invariant_mismatches(report))
    return mismatches


def describe_expectation(expect: Expect) -> str:
    """One line, e.g. ``status PartiallyFailed, node2 Failed, every invariant holds``."""
    parts = []
    if expect.status is not None:
        parts.append(f"status {expect.status}")
    if expect.error_id is not None:
        parts.append(f"error_id {expect.error_id}")
    parts.extend(f"{name} {status}" for name, status in expect.nodes.items())
    if expect.invariants_hold:
        parts.append("every invariant holds")
    return ", ".join(parts) if parts else "nothing"


def _invariant_mismatches(report: Mapping[str, Any]) -> list[str]:
    simulation = report.get("simulation")
    invariants = simulation.get("invariants") if isinstance(simulation, Mapping) else None
    if not isinstance(invariants, Mapping):
        return ["invariants: expected every invariant to hold, but the report has no verdicts"]
    mismatches = []
    for name, verdict in invariants.items():
        if verdict.get("holds", False):
            continue
        violations = verdict.get("violations") or []
        text = f"invariant {name}: violated"
        if violations:
            first = violations[0]
            text += f" at {_seconds(first.get('time'))}: {first.get('detail', '')}"
            if len(violations) > 1:
                text += f" (and {len(violations) - 1} more)"
        mismatches.append(text)
    return mismatches


def _reason(error_id: Any, error: Any) -> str:
    if error_id and error:
        return f" ({error_id}: {error})"
    if error_id or error:
        return f" ({error_id or error})"
    return ""


def _seconds(value: Any) -> str:
    return f"{value:g} s" if isinstance(value, (int, float)) else "an unknown time"
