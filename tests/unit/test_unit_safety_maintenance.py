"""Safety guards with storage maintenance mode: a node's own maintenance mode never keeps it
from its restart; anyone else's degradation, a job or another held node still does."""

from __future__ import annotations

from dataclasses import replace

import pytest
from literal_views import DEGRADED, HEALTHY, PROFILE, REPAIR, node, run, view

from runner.actions import Restart, Wait
from runner.decisions import decide
from runner.lifecycle import NodeStep
from runner.safety import fault_tolerance_risk, maintenance_risk, own_maintenance_only
from runner.types import (
    ClusterView,
    DrainStatus,
    HealthStatus,
    NodeState,
    OperationalStatus,
    Resiliency,
    VirtualDiskView,
)

PAUSED, UP, DOWN = NodeState.PAUSED, NodeState.UP, NodeState.DOWN
# What a volume shows while a node's drives are in storage maintenance mode.
HELD = VirtualDiskView(
    name="vol01",
    resiliency=Resiliency.TWO_WAY_MIRROR,
    health=HealthStatus.WARNING,
    operational=(OperationalStatus.INCOMPLETE, OperationalStatus.DEGRADED),
)
LOST = replace(
    HELD,
    health=HealthStatus.UNHEALTHY,
    operational=(OperationalStatus.NO_REDUNDANCY, OperationalStatus.DETACHED),
)


def held(v: ClusterView, *names: str) -> ClusterView:
    """``v`` with the drives of ``names`` in storage maintenance mode."""
    nodes = tuple(replace(n, storage_maintenance=n.name in names) for n in v.nodes)
    return replace(v, nodes=nodes)


DRAINED = dict(drain=DrainStatus.COMPLETED)


@pytest.mark.parametrize(
    ("v", "expected"),
    [
        (held(view(PAUSED, disks=(HELD,), **DRAINED), "node1"), True),
        (held(view(PAUSED, disks=(HEALTHY,), **DRAINED), "node1"), True),
        (view(PAUSED, disks=(HELD,), **DRAINED), False),  # degraded, not by its own mode
        (held(view(PAUSED, disks=(HELD,), jobs=(REPAIR,), **DRAINED), "node1"), False),
        (held(view(PAUSED, disks=(HELD,), **DRAINED), "node1", "node2"), False),
        (held(view(PAUSED, disks=(HELD,), others=(DOWN, UP), **DRAINED), "node1"), False),
        (held(view(PAUSED, disks=(LOST,), **DRAINED), "node1"), False),
        (replace(held(view(PAUSED, disks=(HELD,)), "node1"), s2d_enabled=False), False),
    ],
    ids=[
        "own-mode",
        "own-mode-healthy",
        "not-held",
        "repair-job",
        "another-held",
        "another-down",
        "volume-offline",
        "no-s2d",
    ],
)
def test_own_maintenance_only(v: ClusterView, expected: bool) -> None:
    """Degradation is the node's own only when it is held, alone, with no job, all online."""
    assert own_maintenance_only(v, "node1") is expected


def test_maintenance_risk_ignores_the_nodes_own_mode_but_not_others() -> None:
    """node1 held: no risk for node1; node2 must still wait for the degraded volumes."""
    v = held(view(PAUSED, disks=(HELD,), **DRAINED), "node1")
    assert maintenance_risk(v, "node1") is None
    assert maintenance_risk(v, "node2") == "volumes not Healthy/OK: vol01"


def test_a_held_node_counts_against_fault_tolerance() -> None:
    """A Paused node in maintenance mode is a fault domain away: a two-way mirror cannot
    lose another one."""
    v = held(view(PAUSED, disks=(HEALTHY,)), "node1")
    assert fault_tolerance_risk(v, ("node2",)) == (
        "volume vol01 (two-way-mirror) tolerates 1 fault domain(s) down, would have 2"
    )
    assert fault_tolerance_risk(v, ("node1",)) is None


def test_reboot_step_restarts_a_node_degraded_only_by_its_own_maintenance_mode() -> None:
    """REBOOT on a fresh view: node1 drained and held → Restart, not a wait for storage."""
    v = held(view(PAUSED, disks=(HELD,), **DRAINED), "node1")
    action = decide(v, run(node(NodeStep.REBOOT, paused_by_us=True)), PROFILE)
    assert isinstance(action, Restart)


def test_reboot_step_still_waits_for_anothers_degradation() -> None:
    """REBOOT: volumes degraded while node1 is NOT in maintenance mode (a failed drive
    elsewhere) → wait, as before maintenance mode existed."""
    v = view(PAUSED, disks=(DEGRADED,), **DRAINED)
    action = decide(v, run(node(NodeStep.REBOOT, paused_by_us=True)), PROFILE)
    assert isinstance(action, Wait)
