"""CAU's self-updating role in the simulated cluster: which node hosts the coordinator.

Owns: ``CoordinatorRole`` — the clustered role of a scenario with ``coordinator:
self-updating`` (``simulator.scenario_coordinator``): its owner, its moves (each in the
ground-truth timeline as ``coordinator-moved``), the node it fails over to
(``successor``), and the ``coordinator-placement`` invariant: the coordinator is never on a
node the run pauses (drains) or restarts — judged on the timeline, where every drain
(``suspended``) and restart the runner caused is recorded, against the owner at that moment.
Listed only for self-updating scenarios (an off-cluster coordinator is on no node).

Theory of operation: the role is moved by the composition root (``runner.rehearsal.roles``),
which plays the cluster's side of CAU's role: it moves the role before its owner is paused
and fails it over when its owner crashes, then starts the coordinator on the new owner. The
successor is the last Up, unpaused node before the owner in the scenario's node order
(wrapping round): in a run that goes in that order, a node already updated, so the role
moves as seldom as it can (twice in a four-node run instead of four times).

Must not: move the role by itself, or touch other world state (it reads nodes and the
timeline through ``simulator.world_port.RoleWorld``).
"""

from __future__ import annotations

from typing import Any

from simulator.scenario_coordinator import SELF_UPDATING
from simulator.world_port import RoleWorld

__all__ = ["PLACEMENT_INVARIANT", "CoordinatorRole"]

PLACEMENT_INVARIANT = "coordinator-placement"
_PAUSING = {"suspended": "drained", "restart": "restarted"}  # timeline kinds the run causes


class CoordinatorRole:
    """The self-updating role of ``world`` (``enabled`` False: the coordinator is off-cluster)."""

    def __init__(self, world: RoleWorld) -> None:
        self.world = world
        self.enabled = world.scenario.coordinator == SELF_UPDATING
        self.first = world.scenario.coordinator_node
        self.owner = self.first
        self.moves: list[tuple[float, str, str, str]] = []  # (time, from, to, why)

    def successor(self) -> str | None:
        """The node the role goes to from its owner (see module docstring), or None."""
        names = [n.name for n in self.world.scenario.cluster.nodes]
        if self.owner not in names:
            return None
        at = names.index(self.owner)
        for step in range(1, len(names)):
            name = names[(at - step) % len(names)]
            node = self.world.nodes[name]
            if node.up and not node.paused:
                return name
        return None

    def move(self, to: str, why: str) -> None:
        """The role moves from its owner to ``to`` (recorded in the timeline)."""
        assert self.owner is not None
        self.world.record("coordinator-moved", to, f"from {self.owner}: {why}")
        self.moves.append((float(self.world.env.now), self.owner, to, why))
        self.owner = to

    def section(self) -> dict[str, Any]:
        """The ``coordinator-placement`` invariant (nothing when the role is off)."""
        if not self.enabled:
            return {}
        owner = self.first
        violations = []
        for time, kind, node, detail in self.world.timeline:
            if kind == "coordinator-moved":
                owner = node
            elif kind in _PAUSING and node is not None and node == owner:
                what = f"{node} was {_PAUSING[kind]} while hosting the coordinator ({detail})"
                violations.append({"time": round(time, 3), "detail": what})
        return {PLACEMENT_INVARIANT: {"holds": not violations, "violations": violations}}
