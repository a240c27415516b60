"""VMs in the world: drain with bounded live migrations, drain failures, failback, failover."""

from __future__ import annotations

import pytest
from sim_driver import fault, kinds, make_scenario, make_world, wait_until

from runner.types import DrainStatus, FailbackMode, NodeState, RoleState
from simulator.model import FaultSpec, VmSpec
from simulator.workloads import FAILOVER_DELAY, POLICY_FAILBACK_DELAY
from simulator.world import SimulatedCluster

pytestmark = pytest.mark.rolling

MIGRATE_16GB = 16 * 1024 / 1000  # seconds at the default 1000 MB/s


def four_vms_on_node1() -> list[VmSpec]:
    return [VmSpec(name=f"vm{i}", owner="node1", memory_gb=16) for i in range(4)]


def drained_world(
    vms: list[VmSpec], memory_gb: float = 256, faults: tuple[FaultSpec, ...] = ()
) -> SimulatedCluster:
    sc = make_scenario(3, memory_gb=memory_gb, vms=tuple(vms), resiliency=None, faults=faults)
    return make_world(sc)


def test_drain_runs_two_migrations_at_a_time() -> None:
    """A drain of four 16 GB VMs runs two live migrations at once: two waves of 16.384 s."""
    world = drained_world(four_vms_on_node1())
    world.transport.suspend_node("node1")
    start = world.clock.now()
    view = world.transport.observe()
    assert view.node("node1").state is NodeState.PAUSED
    assert view.node("node1").drain_status is DrainStatus.IN_PROGRESS
    world.clock.sleep(60)
    moves = [
        (round(t - start, 3), node, detail) for t, _, node, detail in kinds(world, "live-migration")
    ]
    wave = round(MIGRATE_16GB, 3)
    assert moves == [
        (wave, "node2", "vm0 from node1"),
        (wave, "node3", "vm1 from node1"),
        (round(2 * MIGRATE_16GB, 3), "node2", "vm2 from node1"),
        (round(2 * MIGRATE_16GB, 3), "node3", "vm3 from node1"),
    ]
    (done,) = kinds(world, "drain-completed")
    assert round(done[0] - start, 3) == round(2 * MIGRATE_16GB, 3)
    assert world.transport.observe().roles_on("node1") == ()


def test_max_parallel_migrations_is_honoured() -> None:
    """With max_parallel_migrations 1 the same drain takes four sequential migrations."""
    from dataclasses import replace

    sc = make_scenario(3, memory_gb=256, vms=tuple(four_vms_on_node1()), resiliency=None)
    sc = replace(sc, cluster=replace(sc.cluster, max_parallel_migrations=1))
    world = make_world(sc)
    world.transport.suspend_node("node1")
    start = world.clock.now()
    world.clock.sleep(120)
    (done,) = kinds(world, "drain-completed")
    assert round(done[0] - start, 3) == round(4 * MIGRATE_16GB, 3)


def test_drain_fails_when_memory_does_not_fit() -> None:
    """A VM no other node has room for stays: DrainStatus Failed, node stays Paused."""
    vms = [
        VmSpec(name="big1", owner="node1", memory_gb=48),
        VmSpec(name="big2", owner="node1", memory_gb=48),
        VmSpec(name="other2", owner="node2", memory_gb=40),
        VmSpec(name="other3", owner="node3", memory_gb=50),
    ]
    world = drained_world(vms, memory_gb=96)
    world.transport.suspend_node("node1")
    view = wait_until(world, lambda v: v.node("node1").drain_status is not DrainStatus.IN_PROGRESS)
    assert view.node("node1").drain_status is DrainStatus.FAILED
    assert view.node("node1").state is NodeState.PAUSED
    assert [r.name for r in view.roles_on("node1")] == ["big2"]
    assert all(r.state is RoleState.ONLINE for r in view.roles)
    assert "no node has 48 GB free" in kinds(world, "drain-failed")[0][3]


def test_unmovable_vm_fails_the_drain_but_others_move() -> None:
    """A VM marked movable: false refuses; the other VMs still leave the node."""
    vms = [VmSpec(name="pinned", owner="node1", movable=False), VmSpec(name="free", owner="node1")]
    world = drained_world(vms)
    world.transport.suspend_node("node1")
    view = wait_until(world, lambda v: v.node("node1").drain_status is not DrainStatus.IN_PROGRESS)
    assert view.node("node1").drain_status is DrainStatus.FAILED
    assert [r.name for r in view.roles_on("node1")] == ["pinned"]


def test_paused_node_receives_no_vms() -> None:
    """Placement skips Paused nodes: draining node1 while node2 is paused fills node3 only."""
    world = drained_world(four_vms_on_node1())
    world.transport.suspend_node("node2")
    world.transport.suspend_node("node1")
    world.clock.sleep(120)
    assert [r.owner for r in world.transport.observe().roles] == ["node3"] * 4


@pytest.mark.parametrize(
    ("mode", "home_after"),
    [(FailbackMode.IMMEDIATE, 4), (FailbackMode.NONE, 0), (FailbackMode.POLICY, 0)],
)
def test_failback_modes(mode: FailbackMode, home_after: int) -> None:
    """immediate brings drained VMs back; none, and policy with default groups, do not."""
    world = drained_world(four_vms_on_node1())
    world.transport.suspend_node("node1")
    world.clock.sleep(60)
    world.transport.resume_node("node1", mode)
    world.clock.sleep(2 * MIGRATE_16GB + 0.5)
    assert len(world.transport.observe().roles_on("node1")) == home_after
    world.clock.sleep(POLICY_FAILBACK_DELAY + 60)
    assert len(world.transport.observe().roles_on("node1")) == home_after


def test_policy_failback_moves_groups_that_allow_it_later() -> None:
    """With policy, only groups allowing failback go back, after the failback delay."""
    world = drained_world(four_vms_on_node1())
    world.workloads.auto_failback = {"vm0": True, "vm3": True}
    world.transport.suspend_node("node1")
    world.clock.sleep(60)
    world.transport.resume_node("node1", FailbackMode.POLICY)
    resumed = world.clock.now()
    world.clock.sleep(POLICY_FAILBACK_DELAY + 60)
    assert [r.name for r in world.transport.observe().roles_on("node1")] == ["vm0", "vm3"]
    first = min(t for t, _, node, _ in kinds(world, "live-migration") if node == "node1")
    assert first - resumed >= POLICY_FAILBACK_DELAY


def test_crash_takes_vms_down_and_they_fail_over() -> None:
    """A node crash takes its VMs down; they restart elsewhere after the failover delay."""
    world = drained_world(
        four_vms_on_node1(), faults=(fault("node-crash", node="node1", at_minute=2),)
    )
    world.clock.sleep(121)
    view = world.transport.observe()
    assert {r.state for r in view.roles} == {RoleState.OFFLINE}
    world.clock.sleep(FAILOVER_DELAY)
    view = world.transport.observe()
    assert {r.state for r in view.roles} == {RoleState.ONLINE}
    assert {r.owner for r in view.roles} == {"node2", "node3"}
    assert world.workloads.downtime_seconds() == pytest.approx(4 * FAILOVER_DELAY)
    assert world.oracle.violations == []  # a crash is not the runner's doing


def test_restart_of_undrained_node_is_a_workload_violation() -> None:
    """Restarting a node that still hosts running VMs takes them down: the runner's fault."""
    world = drained_world(four_vms_on_node1())
    world.transport.restart_node("node1")
    (violation,) = world.oracle.violations
    assert violation.invariant == "workload-availability"
    assert "4 running VM(s)" in violation.detail
    world.clock.sleep(FAILOVER_DELAY + 1)
    assert world.workloads.downtime_seconds() == pytest.approx(4 * FAILOVER_DELAY)
    assert {r.state for r in world.transport.observe().roles} == {RoleState.ONLINE}


def test_restart_after_completed_drain_keeps_vms_running() -> None:
    """A restart after a completed drain causes no downtime and no violation."""
    world = drained_world(four_vms_on_node1())
    world.transport.suspend_node("node1")
    wait_until(world, lambda v: v.node("node1").drain_status is DrainStatus.COMPLETED)
    world.transport.restart_node("node1")
    world.clock.sleep(600)
    assert world.oracle.violations == []
    assert world.workloads.downtime_seconds() == 0.0
    assert world.transport.observe().node("node1").state is NodeState.PAUSED


def test_crash_during_drain_leaves_drain_failed() -> None:
    """A node crashing mid-drain comes back Paused with DrainStatus Failed, not InProgress."""
    world = drained_world(
        four_vms_on_node1(),
        faults=(fault("node-crash", node="node1", at_minute=1, down_minutes=5),),
    )
    world.clock.advance_to(50)
    world.transport.suspend_node("node1")
    world.clock.advance_to(60 + 5 * 60 + 1)
    node1 = world.transport.observe().node("node1")
    assert node1.state is NodeState.PAUSED
    assert node1.drain_status is DrainStatus.FAILED
