"""The oracle's redundancy-margin: it holds for a correct rolling run, catches a scripted
run that takes too much out, counts faults as out, and says when it does not apply."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sim_driver import fault, make_scenario, make_world, rolling_run, wait_until

from runner.types import DrainStatus, Resiliency, WitnessType
from simulator.model import NodeSpec, VmSpec
from simulator.oracle_margin import MARGIN_INVARIANT
from simulator.transport import COMMAND_SECONDS
from simulator.world import SimulatedCluster

MIRROR3 = Resiliency.THREE_WAY_MIRROR


def margin(world: SimulatedCluster, report: dict[str, Any] | None = None) -> dict[str, Any]:
    verdict: dict[str, Any] = world.finish(report or {"status": "Failed"})["invariants"][
        MARGIN_INVARIANT
    ]
    return verdict


def details(world: SimulatedCluster) -> list[str]:
    return [v.detail for v in world.oracle.violations if v.invariant == MARGIN_INVARIANT]


def drained(world: SimulatedCluster, node: str) -> None:
    world.transport.suspend_node(node)
    wait_until(world, lambda v: v.node(node).drain_status is not DrainStatus.IN_PROGRESS)


def test_rolling_run_of_a_three_way_mirror_keeps_the_margin() -> None:
    """One node at a time on five three-way-mirror nodes: the invariant applies and holds."""
    world = make_world(make_scenario(5, resiliency=MIRROR3))
    verdict = margin(world, rolling_run(world))
    assert verdict == {"holds": True, "violations": []}


def test_two_nodes_restarted_at_once_on_a_three_way_mirror_is_caught() -> None:
    """A scripted run pauses two of seven nodes (no storage maintenance mode), then restarts
    both: the second restart leaves two fault domains away, one more would take the volume."""
    world = make_world(make_scenario(7, resiliency=MIRROR3, vms_per_node=0, maintenance_mode=False))
    t = world.transport
    t.suspend_node("node1")
    t.suspend_node("node2")  # both up: votes and drives still there, nothing lost yet
    t.restart_node("node1")
    assert details(world) == []
    t.restart_node("node2")
    assert details(world) == [
        "node2 taken out with node1, node2 out: volume vol01 (three-way-mirror, tolerates 2) "
        "would go offline if node3 failed: 2 fault domain(s) out"
    ]
    assert margin(world)["holds"] is False


def test_five_nodes_of_a_three_way_mirror_lose_the_pool_first() -> None:
    """With five nodes of four drives, two away and one more failing leave the pool 9 of 21
    votes: the pool's quorum is what the second restart breaks."""
    world = make_world(make_scenario(5, resiliency=MIRROR3, vms_per_node=0, maintenance_mode=False))
    for act in ("suspend_node", "restart_node"):
        getattr(world.transport, act)("node1")
        getattr(world.transport, act)("node2")
    assert details(world) == [
        "node2 taken out with node1, node2 out: the storage pool would lose quorum if node3 failed"
    ]


def test_suspend_with_storage_maintenance_counts_the_node_out_at_once() -> None:
    """With storage maintenance mode the suspend takes the drives away: restarting another
    node meanwhile (a scripted run ignoring the storage state) breaks the margin there."""
    world = make_world(make_scenario(5, resiliency=MIRROR3, vms_per_node=0, maintenance_mode=True))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node2")
    assert [d.split(":")[0] for d in details(world)] == ["node2 taken out with node1, node2 out"]


def test_memory_for_the_vms_of_every_node_out_is_checked_at_the_suspend() -> None:
    """Six 100 GB SAN nodes with 300 GB of VMs: two out leave room even if one more fails,
    a third suspend does not (node3's VMs and a failed node4's need 150 GB, 50 are free)."""
    world = make_world(
        make_scenario(6, resiliency=None, memory_gb=100, vms_per_node=2, vm_gb=25, updates=())
    )
    drained(world, "node1")
    drained(world, "node2")
    assert details(world) == []
    world.transport.suspend_node("node3")
    assert len(details(world)) == 1
    assert details(world)[0].startswith("node3 taken out with node1, node2, node3 out: if node")
    assert details(world)[0] == (
        "node3 taken out with node1, node2, node3 out: if node4 failed, its VMs and those of "
        "the nodes out would need 150 GB; the nodes that stay have 50 GB free"
    )


def test_a_vm_too_large_for_any_node_left_is_caught() -> None:
    """node1's 100 GB VM fits on no node once node2 is out and node1 fails, though the free
    memory in total would hold it."""
    nodes = tuple(NodeSpec(name=f"node{i}", memory_gb=128) for i in range(1, 5))
    small = (VmSpec(name=f"small{i}", owner=f"node{i}", memory_gb=40) for i in (2, 3, 4))
    vms = (VmSpec(name="big", owner="node1", memory_gb=100), *small)
    world = make_world(make_scenario(node_specs=nodes, vms=vms, resiliency=None, updates=()))
    world.transport.suspend_node("node2")
    assert details(world) == [
        "node2 taken out with node2 out: if node1 failed, a VM of 100 GB would fit on no node"
    ]


def test_a_node_down_counts_as_out_when_the_run_acts() -> None:
    """Five SAN nodes without witness, node5 crashed: restarting node1 and then node2 leaves
    two voters and no witness, so one more failure would lose quorum — the second restart
    is caught (a paused node that is up still votes)."""
    crash = fault("node-crash", node="node5", at_minute=0.1)
    scenario = make_scenario(
        5, witness=WitnessType.NONE, resiliency=None, vms_per_node=0, updates=(), faults=(crash,)
    )
    world = make_world(scenario)
    world.clock.sleep(60)
    for act in ("suspend_node", "restart_node"):
        getattr(world.transport, act)("node1")
        getattr(world.transport, act)("node2")
    assert details(world) == [
        "node2 taken out with node1, node2, node5 out: "
        "the cluster would lose quorum if node3 failed"
    ]


def test_a_fault_after_the_act_is_not_the_runs() -> None:
    """The run took node1 out with a margin; node5 crashing afterwards is not judged."""
    crash = fault("node-crash", node="node5", at_minute=30)
    world = make_world(
        make_scenario(5, witness=WitnessType.NONE, resiliency=None, updates=(), faults=(crash,))
    )
    drained(world, "node1")
    drained(world, "node2")
    world.clock.sleep(3600)
    assert not world.nodes["node5"].up
    assert margin(world)["holds"] is True


def test_a_two_way_mirror_reports_not_applicable_and_judges_nothing() -> None:
    """Four two-way-mirror nodes cannot lose two even when whole: not_applicable, with why."""
    world = make_world(make_scenario(4, vms_per_node=0, maintenance_mode=False))
    world.transport.suspend_node("node1")
    world.transport.suspend_node("node2")
    world.transport.restart_node("node1")
    world.transport.restart_node("node2")
    verdict = margin(world)
    assert verdict["holds"] is True
    assert verdict["violations"] == []
    assert verdict["not_applicable"] == (
        "the whole cluster cannot lose two nodes (two-way-mirror volume vol01 tolerates 1 "
        "fault domain(s) away), so one node out leaves no margin by design"
    )


def crash_in(world: SimulatedCluster, node: str, after: float) -> None:
    def later() -> Generator[Any, Any, None]:
        yield world.env.timeout(after)
        world.crash(node, 3600.0)

    world.env.process(later())


def test_a_crash_while_the_restart_is_in_flight_is_not_counted_out() -> None:
    """node2 crashes while node1's restart command is in flight (the oracle's race rule):
    the restart is judged without node2; the same crash before the command is counted."""
    raced = make_world(make_scenario(8, resiliency=MIRROR3, vms_per_node=0))
    raced.transport.suspend_node("node1")
    raced.clock.sleep(30)
    crash_in(raced, "node2", COMMAND_SECONDS / 2)
    raced.transport.restart_node("node1")
    assert details(raced) == []
    before = make_world(make_scenario(8, resiliency=MIRROR3, vms_per_node=0))
    before.transport.suspend_node("node1")
    crash_in(before, "node2", 0.0)
    before.clock.sleep(30)
    before.transport.restart_node("node1")
    assert [d.split(":")[0] for d in details(before)] == ["node1 taken out with node1, node2 out"]
