"""A scenario's coordinator: where the updating run's coordinator lives (issue 12).

Owns: ``COORDINATOR_FAULTS`` and ``resolve_coordinator`` — the ``coordinator:`` key
(``off-cluster``, the default: pycau's coordinator on a management machine, as before;
``self-updating``: CAU's clustered role, hosted by a cluster node, its owner),
``coordinator_node:`` (the role's first owner; default the first node the scenario
lists, as the cluster places a new role on its first possible owner), and the checks a
schema cannot express: a coordinator_node names a node and needs ``self-updating``; the
``coordinator-host-crash`` fault needs ``self-updating``; ``self-updating`` is CAU's
rolling run (not ``mode: offline``); ``coordinator-crash`` (a journal resume) does not mix
with the role or ``agents-down`` (a take-over from the cluster's state).

Must not: simulate anything (``simulator.coordinator_role`` does), or read files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, Protocol

from runner.validation import PathElement
from simulator.model import FaultSpec

__all__ = ["COORDINATOR_FAULTS", "OFF_CLUSTER", "SELF_UPDATING", "resolve_coordinator"]

OFF_CLUSTER = "off-cluster"
SELF_UPDATING = "self-updating"
# Faults the composition root strikes the coordinators with (``runner.rehearsal.roles``).
COORDINATOR_FAULTS = ("coordinator-host-crash", "agents-down")


class _Failing(Protocol):
    def fail(self, path: Sequence[PathElement], message: str) -> NoReturn: ...


def resolve_coordinator(
    resolver: _Failing,
    data: Mapping[str, Any],
    names: tuple[str, ...],
    profile: Mapping[str, Any],
    faults: tuple[FaultSpec, ...],
) -> tuple[str, str | None]:
    """(coordinator, the role's first owner or None) of the scenario ``data``."""
    kind = str(data.get("coordinator", OFF_CLUSTER))
    node = data.get("coordinator_node")
    if node is not None and kind != SELF_UPDATING:
        resolver.fail(["coordinator_node"], "a role owner needs coordinator: self-updating")
    if node is not None and node not in names:
        shown = ", ".join(names[:8])
        resolver.fail(["coordinator_node"], f"names no node of this cluster (nodes: {shown})")
    if kind == SELF_UPDATING and profile.get("mode") == "offline":
        why = "CAU's self-updating role runs the rolling update; expected mode: rolling"
        resolver.fail(["coordinator"], why)
    types = [f.type for f in faults]
    for index, fault in enumerate(faults):
        if fault.type == "coordinator-host-crash" and kind != SELF_UPDATING:
            why = "a coordinator-host-crash needs coordinator: self-updating (a node hosts it)"
            resolver.fail(["faults", index, "type"], why)
        if fault.type == "coordinator-crash" and (
            kind == SELF_UPDATING or any(t in COORDINATOR_FAULTS for t in types)
        ):
            why = (
                "coordinator-crash (a resume from the journal) does not mix with the "
                "self-updating role or the coordinator faults; use agents-down"
            )
            resolver.fail(["faults", index, "type"], why)
    if kind == SELF_UPDATING and node is None:
        node = names[0]
    return kind, node
